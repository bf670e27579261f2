namespace RemediationTools.Build.HelpCompiler;

/// <summary>One cmdlet page of docs/&lt;culture&gt;/&lt;Verb-Noun&gt;.md, after parsing and validation.</summary>
internal sealed record CommandHelpPage(
    string Name,
    string SourcePath,
    IReadOnlyList<string> Synopsis,
    IReadOnlyList<string> Description,
    IReadOnlyList<ExampleHelp> Examples,
    IReadOnlyList<ParameterHelp> Parameters,
    IReadOnlyList<TypeHelp> Inputs,
    IReadOnlyList<TypeHelp> Outputs,
    IReadOnlyList<string> Notes,
    IReadOnlyList<RelatedLink> RelatedLinks);

/// <summary>An example: its title, the PowerShell code and the text that explains it.</summary>
internal sealed record ExampleHelp(string Title, string Code, IReadOnlyList<string> Remarks);

/// <summary>The text of one parameter, plus the two facts that cannot be read from the compiled cmdlet.</summary>
internal sealed record ParameterHelp(string Name, IReadOnlyList<string> Description, string? DefaultValue, bool AcceptsWildcards);

/// <summary>An input or output type with its explanation.</summary>
internal sealed record TypeHelp(string TypeName, IReadOnlyList<string> Description);

/// <summary>A related link; <see cref="Uri"/> is empty for a plain cmdlet or topic name.</summary>
internal sealed record RelatedLink(string Text, string Uri);

/// <summary>An about_ topic page: named sections of paragraphs, in page order.</summary>
internal sealed record AboutTopicPage(string Name, IReadOnlyList<AboutSection> Sections);

/// <summary>One section of an about_ topic.</summary>
internal sealed record AboutSection(string Title, IReadOnlyList<TextBlock> Blocks);

/// <summary>A paragraph of help text, or (when <see cref="IsCode"/>) lines to keep verbatim.</summary>
internal sealed record TextBlock(string Text, bool IsCode, int Level = 0);

/// <summary>A problem in a help page, reported as file:line: message.</summary>
internal sealed record HelpError(string SourcePath, int Line, string Message)
{
    public override string ToString() => $"{SourcePath}:{Line}: error: {Message}";
}

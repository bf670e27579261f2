using System.Text.RegularExpressions;
using Markdig.Syntax;

namespace RemediationTools.Build.HelpCompiler;

/// <summary>Reads and validates a cmdlet page (format: docs/README.md).</summary>
internal static partial class CommandPageParser
{
    private static readonly string[] KnownSections =
        ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS"];

    [GeneratedRegex(@"^Example\s+\d+(\s*:\s*(?<title>.+))?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExampleHeading();

    [GeneratedRegex(@"^-(?<name>[A-Za-z][A-Za-z0-9_]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterHeading();

    [GeneratedRegex(@"^\s*(?<key>[A-Za-z ]+?)\s*:\s*(?<value>.*?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex YamlLine();

    public static CommandHelpPage? Parse(string sourcePath, string markdown, List<HelpError> errors)
    {
        var outline = PageOutline.Parse(sourcePath, markdown);
        var expectedName = Path.GetFileNameWithoutExtension(sourcePath);
        var errorCount = errors.Count;
        void Error(int line, string message) => errors.Add(new HelpError(sourcePath, line, message));

        if (outline.Title is null)
        {
            Error(1, $"the page has no '# {expectedName}' title.");
        }
        else if (!string.Equals(outline.Title, expectedName, StringComparison.Ordinal))
        {
            Error(outline.TitleLine, $"the title '# {outline.Title}' does not match the file name '{expectedName}.md'.");
        }

        var sections = new Dictionary<string, OutlineSection>(StringComparer.Ordinal);
        foreach (var section in outline.Sections)
        {
            var key = section.Title.ToUpperInvariant();
            if (!KnownSections.Contains(key))
            {
                Error(section.Line, $"unknown section '## {section.Title}'; expected one of: {string.Join(", ", KnownSections)}.");
            }
            else if (!sections.TryAdd(key, section))
            {
                Error(section.Line, $"section '## {section.Title}' appears twice.");
            }
        }

        var synopsis = RequiredText(sections, "SYNOPSIS", outline, Error);
        var description = RequiredText(sections, "DESCRIPTION", outline, Error);
        var examples = ParseExamples(sections, outline, Error);
        var parameters = ParseParameters(sections, Error);
        var inputs = ParseTypes(sections, "INPUTS", Error);
        var outputs = ParseTypes(sections, "OUTPUTS", Error);
        var notes = sections.TryGetValue("NOTES", out var notesSection) ? AllText(notesSection) : [];
        var links = sections.TryGetValue("RELATED LINKS", out var linksSection) ? ParseLinks(linksSection) : [];

        return errors.Count > errorCount
            ? null
            : new CommandHelpPage(expectedName, sourcePath, synopsis, description, examples, parameters, inputs, outputs, notes, links);
    }

    private static List<string> RequiredText(
        Dictionary<string, OutlineSection> sections, string name, PageOutline outline, Action<int, string> error)
    {
        if (!sections.TryGetValue(name, out var section))
        {
            error(outline.TitleLine, $"missing section '## {name}'.");
            return [];
        }

        var text = AllText(section);
        if (text.Count == 0)
        {
            error(section.Line, $"section '## {name}' has no text.");
        }

        return text;
    }

    private static List<string> AllText(OutlineSection section)
    {
        var text = MarkdownText.ToParagraphs(section.Blocks);
        foreach (var subsection in section.Subsections)
        {
            text.Add(subsection.Title);
            text.AddRange(MarkdownText.ToParagraphs(subsection.Blocks));
        }

        return text;
    }

    private static List<ExampleHelp> ParseExamples(
        Dictionary<string, OutlineSection> sections, PageOutline outline, Action<int, string> error)
    {
        var examples = new List<ExampleHelp>();
        if (!sections.TryGetValue("EXAMPLES", out var section))
        {
            error(outline.TitleLine, "missing section '## EXAMPLES' (at least one '### Example 1: title' with a powershell code block).");
            return examples;
        }

        if (section.Subsections.Count == 0)
        {
            error(section.Line, "section '## EXAMPLES' has no '### Example 1: title' subsection.");
        }

        foreach (var subsection in section.Subsections)
        {
            var match = ExampleHeading().Match(subsection.Title);
            if (!match.Success)
            {
                error(subsection.Line, $"example heading '### {subsection.Title}' must read '### Example <n>: <title>'.");
                continue;
            }

            var code = new List<string>();
            var remarks = new List<Block>();
            foreach (var block in subsection.Blocks)
            {
                if (block is FencedCodeBlock fenced && IsPowerShell(fenced.Info))
                {
                    code.Add(MarkdownText.CodeText(fenced));
                }
                else
                {
                    remarks.Add(block);
                }
            }

            if (code.Count == 0 || code.All(string.IsNullOrWhiteSpace))
            {
                error(subsection.Line, $"'### {subsection.Title}' has no ```powershell code block.");
                continue;
            }

            examples.Add(new ExampleHelp(subsection.Title.Trim(), string.Join("\n\n", code), MarkdownText.ToParagraphs(remarks)));
        }

        return examples;
    }

    private static bool IsPowerShell(string? info) =>
        info is not null && (info.Equals("powershell", StringComparison.OrdinalIgnoreCase)
            || info.Equals("pwsh", StringComparison.OrdinalIgnoreCase)
            || info.Equals("ps1", StringComparison.OrdinalIgnoreCase));

    private static List<ParameterHelp> ParseParameters(Dictionary<string, OutlineSection> sections, Action<int, string> error)
    {
        var parameters = new List<ParameterHelp>();
        if (!sections.TryGetValue("PARAMETERS", out var section))
        {
            return parameters;
        }

        foreach (var subsection in section.Subsections)
        {
            if (string.Equals(subsection.Title, "CommonParameters", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var match = ParameterHeading().Match(subsection.Title);
            if (!match.Success)
            {
                error(subsection.Line, $"parameter heading '### {subsection.Title}' must read '### -ParameterName'.");
                continue;
            }

            string? defaultValue = null;
            var wildcards = false;
            var textBlocks = new List<Block>();
            foreach (var block in subsection.Blocks)
            {
                if (block is FencedCodeBlock fenced && string.Equals(fenced.Info, "yaml", StringComparison.OrdinalIgnoreCase))
                {
                    foreach (var line in MarkdownText.CodeText(fenced).Split('\n'))
                    {
                        var pair = YamlLine().Match(line);
                        if (!pair.Success)
                        {
                            continue;
                        }

                        var key = pair.Groups["key"].Value;
                        var value = pair.Groups["value"].Value;
                        if (key.Equals("Default value", StringComparison.OrdinalIgnoreCase) && value.Length > 0)
                        {
                            defaultValue = value;
                        }
                        else if (key.Equals("Accept wildcard characters", StringComparison.OrdinalIgnoreCase))
                        {
                            wildcards = value.Equals("true", StringComparison.OrdinalIgnoreCase);
                        }
                    }
                }
                else
                {
                    textBlocks.Add(block);
                }
            }

            var name = match.Groups["name"].Value;
            var text = MarkdownText.ToParagraphs(textBlocks);
            if (text.Count == 0)
            {
                error(subsection.Line, $"parameter '-{name}' has no text.");
            }

            if (parameters.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                error(subsection.Line, $"parameter '-{name}' is documented twice.");
            }

            parameters.Add(new ParameterHelp(name, text, defaultValue, wildcards));
        }

        return parameters;
    }

    private static List<TypeHelp> ParseTypes(Dictionary<string, OutlineSection> sections, string name, Action<int, string> error)
    {
        var types = new List<TypeHelp>();
        if (!sections.TryGetValue(name, out var section))
        {
            return types;
        }

        if (MarkdownText.ToParagraphs(section.Blocks).Count > 0)
        {
            error(section.Line, $"text under '## {name}' must follow a '### TypeName' (or '### None') heading.");
        }

        foreach (var subsection in section.Subsections)
        {
            types.Add(new TypeHelp(subsection.Title, MarkdownText.ToParagraphs(subsection.Blocks)));
        }

        return types;
    }

    // One link per line: the lines of one paragraph are separate links ("Get-X" then "Set-X" on the next line), so that
    // Get-Help lists them one per line; a markdown link [text](url) links to url when it is a web address.
    private static List<RelatedLink> ParseLinks(OutlineSection section)
    {
        var links = new List<RelatedLink>();
        foreach (var block in section.Blocks.SelectMany(Descendants).OfType<ParagraphBlock>())
        {
            var line = new List<Markdig.Syntax.Inlines.Inline>();
            foreach (var inline in block.Inline?.ToList() ?? [])
            {
                if (inline is Markdig.Syntax.Inlines.LineBreakInline)
                {
                    AddLink(links, line);
                    line = [];
                    continue;
                }

                line.Add(inline);
            }

            AddLink(links, line);
        }

        return links;
    }

    private static void AddLink(List<RelatedLink> links, List<Markdig.Syntax.Inlines.Inline> line)
    {
        var link = line.OfType<Markdig.Syntax.Inlines.LinkInline>().FirstOrDefault();
        if (link is not null)
        {
            var text = MarkdownText.InlineText(link).Replace($" ({link.Url})", "", StringComparison.Ordinal);
            var url = link.Url ?? "";
            var isWebAddress = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
            links.Add(new RelatedLink(text, isWebAddress ? url : ""));
            return;
        }

        var plain = new Markdig.Syntax.Inlines.ContainerInline();
        foreach (var inline in line)
        {
            inline.Remove();
            plain.AppendChild(inline);
        }

        var name = MarkdownText.InlineText(plain);
        if (name.Length > 0)
        {
            links.Add(new RelatedLink(name, ""));
        }
    }

    private static IEnumerable<Block> Descendants(Block block) =>
        block is ContainerBlock container ? container.SelectMany(Descendants) : [block];
}

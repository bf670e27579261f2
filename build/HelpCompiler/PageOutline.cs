using Markdig;
using Markdig.Syntax;

namespace RemediationTools.Build.HelpCompiler;

/// <summary>A markdown page cut at its headings: the level-1 title, level-2 sections, level-3 subsections.</summary>
internal sealed class PageOutline
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().Build();

    public string SourcePath { get; }

    public string? Title { get; private set; }

    public int TitleLine { get; private set; }

    public List<OutlineSection> Sections { get; } = [];

    private PageOutline(string sourcePath) => SourcePath = sourcePath;

    public static PageOutline Parse(string sourcePath, string markdown)
    {
        var outline = new PageOutline(sourcePath);
        var document = Markdown.Parse(markdown, Pipeline);
        OutlineSection? section = null;
        OutlineSubsection? subsection = null;
        foreach (var block in document)
        {
            if (block is HeadingBlock { Level: 1 } title && outline.Title is null)
            {
                outline.Title = MarkdownText.InlineText(title.Inline);
                outline.TitleLine = title.Line + 1;
                continue;
            }

            if (block is HeadingBlock { Level: 2 } heading)
            {
                section = new OutlineSection(MarkdownText.InlineText(heading.Inline), heading.Line + 1);
                outline.Sections.Add(section);
                subsection = null;
                continue;
            }

            if (block is HeadingBlock { Level: 3 } subheading && section is not null)
            {
                subsection = new OutlineSubsection(MarkdownText.InlineText(subheading.Inline), subheading.Line + 1);
                section.Subsections.Add(subsection);
                continue;
            }

            if (subsection is not null)
            {
                subsection.Blocks.Add(block);
            }
            else if (section is not null)
            {
                section.Blocks.Add(block);
            }
            else if (block is not HtmlBlock && block is not LinkReferenceDefinitionGroup)
            {
                outline.Preamble.Add(block);
            }
        }

        return outline;
    }

    /// <summary>Blocks before the first level-2 heading (other than the title).</summary>
    public List<Block> Preamble { get; } = [];
}

/// <summary>A level-2 section.</summary>
internal sealed class OutlineSection(string title, int line)
{
    public string Title { get; } = title;

    public int Line { get; } = line;

    public List<Block> Blocks { get; } = [];

    public List<OutlineSubsection> Subsections { get; } = [];
}

/// <summary>A level-3 subsection.</summary>
internal sealed class OutlineSubsection(string title, int line)
{
    public string Title { get; } = title;

    public int Line { get; } = line;

    public List<Block> Blocks { get; } = [];
}

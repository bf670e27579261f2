using System.Text;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace RemediationTools.Build.HelpCompiler;

/// <summary>
/// Turns markdown blocks into the plain text that PowerShell help shows: emphasis markers dropped,
/// inline code kept as its text, links as "text (address)", list items as "- item".
/// </summary>
internal static class MarkdownText
{
    public static List<TextBlock> ToBlocks(IEnumerable<Block> blocks, int level = 0)
    {
        var result = new List<TextBlock>();
        foreach (var block in blocks)
        {
            switch (block)
            {
                case HeadingBlock heading:
                    result.Add(new TextBlock(InlineText(heading.Inline), false, level));
                    break;
                case ParagraphBlock paragraph:
                    result.Add(new TextBlock(InlineText(paragraph.Inline), false, level));
                    break;
                case CodeBlock code:
                    result.Add(new TextBlock(CodeText(code), true, level));
                    break;
                case ListBlock list:
                    // One paragraph per list, one line per item, so Get-Help keeps the items together.
                    var number = int.TryParse(list.OrderedStart, out var start) ? start : 1;
                    var items = list.OfType<ListItemBlock>().Select(item =>
                    {
                        var marker = list.IsOrdered ? $"{number++}. " : "- ";
                        return marker + string.Join(" ", ToBlocks(item, level + 1).Select(b => b.Text));
                    });
                    result.Add(new TextBlock(string.Join("\n", items), false, level));
                    break;
                case QuoteBlock quote:
                    result.AddRange(ToBlocks(quote, level + 1));
                    break;
                default:
                    // Thematic breaks, HTML comments and link reference definitions carry no help text.
                    break;
            }
        }

        return result;
    }

    public static List<string> ToParagraphs(IEnumerable<Block> blocks) =>
        ToBlocks(blocks).Select(b => b.IsCode ? b.Text : new string(' ', b.Level * 2) + b.Text)
            .Where(t => !string.IsNullOrWhiteSpace(t))
            .ToList();

    public static string CodeText(LeafBlock code)
    {
        var lines = code.Lines.Lines.Take(code.Lines.Count).Select(l => l.Slice.ToString());
        return string.Join("\n", lines).TrimEnd();
    }

    public static string InlineText(ContainerInline? inline)
    {
        if (inline is null)
        {
            return "";
        }

        var builder = new StringBuilder();
        Append(builder, inline);
        return builder.ToString().Trim();
    }

    private static void Append(StringBuilder builder, Inline inline)
    {
        switch (inline)
        {
            case LiteralInline literal:
                builder.Append(literal.Content.ToString());
                break;
            case CodeInline code:
                builder.Append(code.Content);
                break;
            case AutolinkInline autolink:
                builder.Append(autolink.Url);
                break;
            case LineBreakInline lineBreak:
                builder.Append(lineBreak.IsHard ? "\n" : " ");
                break;
            case HtmlEntityInline entity:
                builder.Append(entity.Transcoded.ToString());
                break;
            case LinkInline link:
                var start = builder.Length;
                AppendChildren(builder, link);
                var text = builder.ToString(start, builder.Length - start);
                if (!string.IsNullOrEmpty(link.Url) && !string.Equals(text, link.Url, StringComparison.Ordinal))
                {
                    builder.Append(" (").Append(link.Url).Append(')');
                }

                break;
            case ContainerInline container:
                AppendChildren(builder, container);
                break;
            default:
                // Raw HTML inlines are not shown in the console.
                break;
        }
    }

    private static void AppendChildren(StringBuilder builder, ContainerInline container)
    {
        foreach (var child in container)
        {
            Append(builder, child);
        }
    }
}

using System.Text;

namespace RemediationTools.Build.HelpCompiler;

/// <summary>
/// Reads an about_ topic page (# about_Name, ## SHORT DESCRIPTION, ## LONG DESCRIPTION, more ##
/// sections) and writes the plain-text about_Name.help.txt that Get-Help about_Name shows.
/// </summary>
internal static class AboutTopicWriter
{
    // 79, not 80: a console of 80 columns wraps a line of exactly 80 characters.
    private const int Width = 79;
    private const int Indent = 4;

    public static AboutTopicPage? Parse(string sourcePath, string markdown, List<HelpError> errors)
    {
        var outline = PageOutline.Parse(sourcePath, markdown);
        var expectedName = Path.GetFileNameWithoutExtension(sourcePath);
        var errorCount = errors.Count;
        if (!string.Equals(outline.Title, expectedName, StringComparison.Ordinal))
        {
            errors.Add(new HelpError(sourcePath, Math.Max(outline.TitleLine, 1), $"the page must start with '# {expectedName}'."));
        }

        var sections = new List<AboutSection>();
        foreach (var section in outline.Sections)
        {
            var blocks = MarkdownText.ToBlocks(section.Blocks);
            foreach (var subsection in section.Subsections)
            {
                blocks.Add(new TextBlock(subsection.Title.ToUpperInvariant(), false, -1));
                blocks.AddRange(MarkdownText.ToBlocks(subsection.Blocks));
            }

            sections.Add(new AboutSection(section.Title.ToUpperInvariant(), blocks));
        }

        foreach (var required in new[] { "SHORT DESCRIPTION", "LONG DESCRIPTION" })
        {
            var found = sections.Find(s => s.Title == required);
            if (found is null || found.Blocks.Count == 0)
            {
                errors.Add(new HelpError(sourcePath, Math.Max(outline.TitleLine, 1), $"missing or empty section '## {required}'."));
            }
        }

        return errors.Count > errorCount ? null : new AboutTopicPage(expectedName, sections);
    }

    public static void Write(string path, AboutTopicPage page)
    {
        var text = new StringBuilder();
        text.Append("TOPIC\n").Append(' ', Indent).Append(page.Name).Append("\n\n");
        foreach (var section in page.Sections)
        {
            text.Append(section.Title).Append('\n');
            foreach (var block in section.Blocks)
            {
                if (block.IsCode)
                {
                    foreach (var line in block.Text.Split('\n'))
                    {
                        text.Append(' ', Indent * 2).Append(line).Append('\n');
                    }
                }
                else if (block.Level < 0)
                {
                    text.Append(' ', Indent).Append(block.Text).Append('\n');
                    continue;
                }
                else
                {
                    foreach (var line in Wrap(block.Text, Width - Indent - (block.Level * 2)))
                    {
                        text.Append(' ', Indent + (block.Level * 2)).Append(line).Append('\n');
                    }
                }

                text.Append('\n');
            }
        }

        File.WriteAllText(path, text.ToString().TrimEnd() + "\n", new UTF8Encoding(false));
    }

    private static IEnumerable<string> Wrap(string paragraph, int width)
    {
        foreach (var hardLine in paragraph.Split('\n'))
        {
            // List items ("- x", "1. x") continue under their text, not under the marker.
            var marker = hardLine.StartsWith("- ", StringComparison.Ordinal) ? 2 : hardLine.IndexOf(". ", StringComparison.Ordinal) + 2;
            var hanging = marker >= 2 && marker <= 5 && hardLine[..(marker - 2)].All(char.IsAsciiDigit) ? new string(' ', marker) : "";
            var line = new StringBuilder();
            var atStart = true;
            foreach (var word in hardLine.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!atStart && line.Length + 1 + word.Length > width)
                {
                    yield return line.ToString();
                    line.Clear().Append(hanging);
                    atStart = true;
                }

                // Words are separated by one space, also the first word after a list marker ("- x", not "-x").
                if (!atStart)
                {
                    line.Append(' ');
                }

                line.Append(word);
                atStart = false;
            }

            yield return line.ToString();
        }
    }
}

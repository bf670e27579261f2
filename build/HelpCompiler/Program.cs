namespace RemediationTools.Build.HelpCompiler;

/// <summary>
/// HelpCompiler --docs &lt;folder of .md pages&gt; [--docs &lt;another folder&gt;] --out &lt;culture folder&gt; --assembly &lt;RemediationTools.dll&gt;
/// [--metadata &lt;commands.json&gt;]. Exit code 0 on success, 1 on invalid pages, 2 on bad usage.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var options = ParseArguments(args);
        if (options is null)
        {
            Console.Error.WriteLine(
                "usage: HelpCompiler --docs <folder> [--docs <folder>] --out <folder> --assembly <Name.dll> [--metadata <commands.json>]");
            return 2;
        }

        var (docsFolders, output, assembly, metadataPath) = options.Value;
        foreach (var folder in docsFolders.Where(f => !Directory.Exists(f)))
        {
            Console.Error.WriteLine($"error: help folder '{folder}' does not exist.");
            return 2;
        }

        var metadata = metadataPath is null ? null : ModuleMetadata.Load(metadataPath);
        var errors = new List<HelpError>();
        var commands = new List<(CommandHelpPage Page, CommandMetadata? Metadata)>();
        var topics = new List<AboutTopicPage>();
        foreach (var file in docsFolders.SelectMany(folder => Directory.EnumerateFiles(folder, "*.md").Order(StringComparer.Ordinal)))
        {
            var markdown = File.ReadAllText(file);
            var display = Path.GetRelativePath(Directory.GetCurrentDirectory(), file).Replace('\\', '/');
            if (Path.GetFileName(file).StartsWith("about_", StringComparison.OrdinalIgnoreCase))
            {
                var topic = AboutTopicWriter.Parse(display, markdown, errors);
                if (topic is not null)
                {
                    topics.Add(topic);
                }

                continue;
            }

            var page = CommandPageParser.Parse(display, markdown, errors);
            if (page is null)
            {
                continue;
            }

            CommandMetadata? command = null;
            if (metadata is not null)
            {
                command = metadata.Commands.Find(c => string.Equals(c.Name, page.Name, StringComparison.OrdinalIgnoreCase));
                if (command is null)
                {
                    errors.Add(new HelpError(display, 1, $"'{page.Name}' is not a cmdlet of module {metadata.ModuleName}."));
                    continue;
                }

                CheckParameters(page, command, errors);
            }

            commands.Add((page, command));
        }

        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                Console.Error.WriteLine(error);
            }

            Console.Error.WriteLine($"HelpCompiler: {errors.Count} error(s); no help written.");
            return 1;
        }

        Directory.CreateDirectory(output);
        var mamlPath = Path.Combine(output, assembly + "-Help.xml");
        MamlWriter.Write(mamlPath, commands);
        foreach (var topic in topics)
        {
            AboutTopicWriter.Write(Path.Combine(output, topic.Name + ".help.txt"), topic);
        }

        var undocumented = metadata?.Commands
            .Where(c => !commands.Exists(p => string.Equals(p.Page.Name, c.Name, StringComparison.OrdinalIgnoreCase)))
            .Select(c => c.Name)
            .ToList() ?? [];
        Console.WriteLine(
            $"HelpCompiler: {commands.Count} cmdlet page(s) -> {mamlPath}; {topics.Count} about topic(s)"
            + (undocumented.Count > 0 ? $"; no page yet for: {string.Join(", ", undocumented)}" : "") + ".");
        return 0;
    }

    private static void CheckParameters(CommandHelpPage page, CommandMetadata command, List<HelpError> errors)
    {
        foreach (var parameter in command.Parameters)
        {
            var documented = page.Parameters.Any(p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
            if (!documented && !MamlWriter.IsStandardParameter(parameter.Name))
            {
                errors.Add(new HelpError(page.SourcePath, 1, $"parameter '-{parameter.Name}' of {command.Name} has no '### -{parameter.Name}' text under '## PARAMETERS'."));
            }
        }

        foreach (var help in page.Parameters)
        {
            var parameter = command.Parameters.Find(p => string.Equals(p.Name, help.Name, StringComparison.OrdinalIgnoreCase));
            if (parameter is null)
            {
                errors.Add(new HelpError(page.SourcePath, 1, $"'### -{help.Name}' documents a parameter that {command.Name} does not have."));
                continue;
            }

            // What the compiled cmdlet says wins; a page that says otherwise is wrong, not a second source.
            if (help.AcceptsWildcards && !parameter.SupportsWildcards)
            {
                errors.Add(new HelpError(page.SourcePath, 1, $"'### -{help.Name}' says 'Accept wildcard characters: True', but the parameter has no [SupportsWildcards]; the help takes it from the attribute: add the attribute if the cmdlet matches wildcards, else drop the line."));
            }

            if (help.DefaultValue is not null && parameter.DefaultValue is not null
                && !help.DefaultValue.StartsWith(parameter.DefaultValue, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new HelpError(page.SourcePath, 1, $"'### -{help.Name}' says 'Default value: {help.DefaultValue}', but the parameter's default is '{parameter.DefaultValue}'."));
            }
        }
    }

    // --docs may be given more than once (the pages of docs/en-US and the generated job reference topic).
    private static (List<string> Docs, string Output, string Assembly, string? Metadata)? ParseArguments(string[] args)
    {
        var docs = new List<string>();
        string? output = null, assembly = null, metadata = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--docs": docs.Add(args[i + 1]); break;
                case "--out": output = args[i + 1]; break;
                case "--assembly": assembly = args[i + 1]; break;
                case "--metadata": metadata = args[i + 1]; break;
                default: return null;
            }
        }

        return args.Length % 2 == 0 && docs.Count > 0 && output is not null && assembly is not null
            ? (docs, output, assembly, metadata)
            : null;
    }
}

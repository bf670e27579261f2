using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace RemediationTools.Build.HelpCompiler;

/// <summary>
/// Writes the MAML that PowerShell's Get-Help reads for binary cmdlets (&lt;assembly&gt;-Help.xml),
/// in the shape platyPS produces: details, description, syntax, parameters, inputs, outputs,
/// notes, examples, related links.
/// </summary>
internal static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";

    /// <summary>Text for the ShouldProcess parameters when a page does not document them itself.</summary>
    private static readonly Dictionary<string, string> StandardParameterText = new(StringComparer.OrdinalIgnoreCase)
    {
        ["WhatIf"] = "Shows what would happen if the cmdlet runs. The cmdlet is not run.",
        ["Confirm"] = "Prompts you for confirmation before running the cmdlet.",
    };

    public static bool IsStandardParameter(string name) => StandardParameterText.ContainsKey(name);

    public static void Write(string path, IEnumerable<(CommandHelpPage Page, CommandMetadata? Metadata)> commands)
    {
        var root = new XElement(
            Msh + "helpItems",
            new XAttribute("schema", "maml"),
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp));
        foreach (var (page, metadata) in commands)
        {
            root.Add(CommandElement(page, metadata));
        }

        var settings = new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) };
        using var writer = XmlWriter.Create(path, settings);
        new XDocument(new XDeclaration("1.0", "utf-8", null), root).Save(writer);
    }

    private static XElement CommandElement(CommandHelpPage page, CommandMetadata? metadata)
    {
        var dash = page.Name.IndexOf('-', StringComparison.Ordinal);
        var verb = metadata?.Verb ?? (dash > 0 ? page.Name[..dash] : page.Name);
        var noun = metadata?.Noun ?? (dash > 0 ? page.Name[(dash + 1)..] : "");
        return new XElement(
            Command + "command",
            new XElement(
                Command + "details",
                new XElement(Command + "name", page.Name),
                new XElement(Command + "verb", verb),
                new XElement(Command + "noun", noun),
                Description(page.Synopsis)),
            Description(page.Description),
            Syntax(page, metadata),
            Parameters(page, metadata),
            TypeList(Command + "inputTypes", Command + "inputType", Inputs(page, metadata)),
            TypeList(Command + "returnValues", Command + "returnValue", Outputs(page, metadata)),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(page.Notes))),
            new XElement(Command + "examples", page.Examples.Select(Example)),
            new XElement(
                Command + "relatedLinks",
                page.RelatedLinks.Select(link => new XElement(
                    Maml + "navigationLink",
                    new XElement(Maml + "linkText", link.Text),
                    new XElement(Maml + "uri", link.Uri)))));
    }

    private static XElement Description(IEnumerable<string> paragraphs) => new(Maml + "description", Paragraphs(paragraphs));

    private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs) =>
        paragraphs.Select(p => new XElement(Maml + "para", p));

    private static XElement Syntax(CommandHelpPage page, CommandMetadata? metadata)
    {
        var syntax = new XElement(Command + "syntax");
        if (metadata is null)
        {
            return syntax;
        }

        var sets = metadata.ParameterSets.OrderByDescending(s => s.IsDefault);
        foreach (var set in sets)
        {
            var item = new XElement(Command + "syntaxItem", new XElement(Maml + "name", page.Name));
            var ordered = set.Parameters
                .Where(p => p.Position >= 0).OrderBy(p => p.Position)
                .Concat(set.Parameters.Where(p => p.Position < 0));
            foreach (var inSet in ordered)
            {
                var parameter = metadata.Parameters.Find(p => p.Name == inSet.Name);
                if (parameter is null)
                {
                    continue;
                }

                var help = FindHelp(page, parameter.Name);
                var element = ParameterElement(parameter, [inSet], help, inSyntax: true);
                item.Add(element);
            }

            syntax.Add(item);
        }

        return syntax;
    }

    private static XElement Parameters(CommandHelpPage page, CommandMetadata? metadata)
    {
        var parameters = new XElement(Command + "parameters");
        if (metadata is null)
        {
            foreach (var help in page.Parameters)
            {
                parameters.Add(new XElement(
                    Command + "parameter",
                    new XAttribute("required", "false"),
                    new XAttribute("variableLength", "true"),
                    new XAttribute("globbing", Bool(help.AcceptsWildcards)),
                    new XAttribute("pipelineInput", "False"),
                    new XAttribute("position", "named"),
                    new XAttribute("aliases", "none"),
                    new XElement(Maml + "name", help.Name),
                    Description(help.Description),
                    new XElement(Dev + "defaultValue", help.DefaultValue ?? "None")));
            }

            return parameters;
        }

        foreach (var parameter in metadata.Parameters)
        {
            var inSets = metadata.ParameterSets
                .SelectMany(s => s.Parameters)
                .Where(p => p.Name == parameter.Name)
                .ToList();
            parameters.Add(ParameterElement(parameter, inSets, FindHelp(page, parameter.Name), inSyntax: false));
        }

        return parameters;
    }

    private static ParameterHelp FindHelp(CommandHelpPage page, string name) =>
        page.Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? new ParameterHelp(name, StandardParameterText.TryGetValue(name, out var text) ? [text] : [], null, false);

    private static XElement ParameterElement(
        ParameterMetadata parameter, List<ParameterInSetMetadata> inSets, ParameterHelp help, bool inSyntax)
    {
        var required = inSets.Count > 0 && inSets.All(s => s.IsMandatory);
        var positions = inSets.Where(s => s.Position >= 0).Select(s => s.Position).Distinct().ToList();
        var position = positions.Count == 1 && inSets.All(s => s.Position >= 0)
            ? (positions[0] + 1).ToString(CultureInfo.InvariantCulture)
            : "named";
        var byValue = inSets.Any(s => s.ValueFromPipeline);
        var byName = inSets.Any(s => s.ValueFromPipelineByPropertyName);
        var pipeline = (byValue, byName) switch
        {
            (true, true) => "True (ByPropertyName, ByValue)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        };
        var element = new XElement(
            Command + "parameter",
            new XAttribute("required", Bool(required)),
            new XAttribute("variableLength", Bool(parameter.IsArray)),
            new XAttribute("globbing", Bool(parameter.SupportsWildcards)),
            new XAttribute("pipelineInput", pipeline),
            new XAttribute("position", position),
            new XAttribute("aliases", parameter.Aliases.Count == 0 ? "none" : string.Join(", ", parameter.Aliases)),
            new XElement(Maml + "name", parameter.Name),
            Description(help.Description));

        // A switch gets no value in the syntax, or Get-Help would show "-Force <SwitchParameter>".
        if (!(inSyntax && parameter.IsSwitch))
        {
            element.Add(new XElement(
                Command + "parameterValue",
                new XAttribute("required", Bool(!parameter.IsSwitch)),
                new XAttribute("variableLength", Bool(parameter.IsArray)),
                parameter.TypeName));
        }

        element.Add(
            new XElement(Dev + "type", new XElement(Maml + "name", parameter.TypeFullName), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", help.DefaultValue ?? parameter.DefaultValue ?? (parameter.IsSwitch ? "False" : "None")));
        return element;
    }

    private static IEnumerable<TypeHelp> Inputs(CommandHelpPage page, CommandMetadata? metadata)
    {
        if (page.Inputs.Count > 0 || metadata is null)
        {
            return page.Inputs;
        }

        var piped = metadata.ParameterSets.SelectMany(s => s.Parameters)
            .Where(p => p.ValueFromPipeline || p.ValueFromPipelineByPropertyName)
            .Select(p => metadata.Parameters.Find(m => m.Name == p.Name)?.TypeFullName)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Select(t => new TypeHelp(t, []))
            .ToList();
        return piped.Count > 0 ? piped : [new TypeHelp("None", [])];
    }

    private static IEnumerable<TypeHelp> Outputs(CommandHelpPage page, CommandMetadata? metadata)
    {
        if (page.Outputs.Count > 0 || metadata is null)
        {
            return page.Outputs;
        }

        return metadata.OutputTypes.Count > 0
            ? metadata.OutputTypes.Select(t => new TypeHelp(t, []))
            : [new TypeHelp("None", [])];
    }

    private static XElement TypeList(XName listName, XName itemName, IEnumerable<TypeHelp> types) =>
        new(listName, types.Select(t => new XElement(
            itemName,
            new XElement(Dev + "type", new XElement(Maml + "name", t.TypeName)),
            Description(t.Description))));

    private static XElement Example(ExampleHelp example) =>
        new(
            Command + "example",
            new XElement(Maml + "title", $"-------------------------- {example.Title} --------------------------"),
            new XElement(Dev + "code", example.Code),
            new XElement(Dev + "remarks", Paragraphs(example.Remarks)));

    private static string Bool(bool value) => value ? "true" : "false";
}

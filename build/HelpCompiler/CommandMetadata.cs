using System.Text.Json;
using System.Text.Json.Serialization;

namespace RemediationTools.Build.HelpCompiler;

/// <summary>
/// What build/Get-ModuleMetadata.ps1 reads from the compiled module with Get-Command: the facts of
/// each cmdlet (syntax, parameter types, positions, pipeline input, output types) that the help
/// pages do not repeat.
/// </summary>
internal sealed class ModuleMetadata
{
    public string ModuleName { get; set; } = "";

    public List<string> CmdletsToExport { get; set; } = [];

    public List<CommandMetadata> Commands { get; set; } = [];

    public static ModuleMetadata Load(string path)
    {
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize(stream, MetadataJsonContext.Default.ModuleMetadata)
            ?? throw new InvalidDataException($"{path}: empty command metadata.");
    }
}

/// <summary>One cmdlet as Get-Command sees it.</summary>
internal sealed class CommandMetadata
{
    public string Name { get; set; } = "";

    public string Verb { get; set; } = "";

    public string Noun { get; set; } = "";

    public List<string> OutputTypes { get; set; } = [];

    public List<ParameterMetadata> Parameters { get; set; } = [];

    public List<ParameterSetMetadata> ParameterSets { get; set; } = [];
}

/// <summary>A parameter's type and aliases; per-set facts live in <see cref="ParameterSetMetadata"/>.</summary>
internal sealed class ParameterMetadata
{
    public string Name { get; set; } = "";

    public string TypeName { get; set; } = "";

    public string TypeFullName { get; set; } = "";

    public bool IsSwitch { get; set; }

    public bool IsArray { get; set; }

    public List<string> Aliases { get; set; } = [];

    /// <summary>The parameter has [SupportsWildcards]: the help's "Accept wildcard characters" comes from here.</summary>
    public bool SupportsWildcards { get; set; }

    /// <summary>The property's value on a new cmdlet instance (invariant text), or null when it has none worth showing.</summary>
    public string? DefaultValue { get; set; }
}

/// <summary>A parameter set, with its parameters in the order PowerShell shows them.</summary>
internal sealed class ParameterSetMetadata
{
    public string Name { get; set; } = "";

    public bool IsDefault { get; set; }

    public List<ParameterInSetMetadata> Parameters { get; set; } = [];
}

/// <summary>How one parameter behaves in one parameter set.</summary>
internal sealed class ParameterInSetMetadata
{
    public string Name { get; set; } = "";

    public bool IsMandatory { get; set; }

    /// <summary>Zero-based position, or a negative number for a named parameter.</summary>
    public int Position { get; set; } = -1;

    public bool ValueFromPipeline { get; set; }

    public bool ValueFromPipelineByPropertyName { get; set; }
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(ModuleMetadata))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;

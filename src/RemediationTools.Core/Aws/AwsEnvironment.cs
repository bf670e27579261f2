namespace RemediationTools.Core.Aws;

/// <summary>Reads environment variables; injected so that tests do not depend on the machine.</summary>
internal interface IAwsEnvironment
{
    /// <summary>The variable's value, or null when it is unset or empty.</summary>
    string? GetVariable(string name);
}

/// <summary>The process environment.</summary>
internal sealed class ProcessAwsEnvironment : IAwsEnvironment
{
    public static ProcessAwsEnvironment Instance { get; } = new();

    public string? GetVariable(string name)
    {
        var value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
    }
}

namespace RemediationTools;

/// <summary>Error message text as users read it: no .NET parameter suffix, no exception type name.</summary>
internal static class ErrorText
{
    /// <summary>
    /// The message of <paramref name="exception"/> without the " (Parameter 'x')" that .NET appends to an
    /// <see cref="ArgumentException"/> with a parameter name: the cmdlet's parameter is already named in the text.
    /// </summary>
    public static string WithoutParameterSuffix(ArgumentException exception)
    {
        string message = (exception ?? throw new ArgumentNullException(nameof(exception))).Message;
        if (exception.ParamName is { Length: > 0 } name)
        {
            foreach (string suffix in new[] { $" (Parameter '{name}')", Environment.NewLine + "Parameter name: " + name })
            {
                if (message.EndsWith(suffix, StringComparison.Ordinal))
                {
                    return message.Substring(0, message.Length - suffix.Length);
                }
            }
        }

        return message;
    }
}

using System.Text.RegularExpressions;

namespace RemediationTools.Core.Engine;

/// <summary>
/// The text of an exception as a user should read it: without what .NET adds for developers (the
/// <c>" (Parameter 'roleArn')"</c> suffix of an <see cref="ArgumentException"/> and the <c>"Actual value was ..."</c> line of an
/// <see cref="ArgumentOutOfRangeException"/>), and never an exception type name.
/// </summary>
internal static class UserMessages
{
    private static readonly Regex ParameterSuffix = new(@"\s*\(Parameter '[^']*'\)", RegexOptions.CultureInvariant);

    /// <summary>The message of <paramref name="exception"/>, cleaned of .NET's parameter suffix and actual-value line.</summary>
    public static string Of(Exception exception)
    {
        if (exception is null)
        {
            throw new ArgumentNullException(nameof(exception));
        }

        string message = exception.Message;
        if (exception is not ArgumentException argument)
        {
            return message;
        }

        // The suffix and the actual-value line come after the message the code wrote; keep only that.
        int actual = message.IndexOf("Actual value was", StringComparison.Ordinal);
        if (argument is ArgumentOutOfRangeException && actual >= 0)
        {
            message = message.Substring(0, actual);
        }

        message = ParameterSuffix.Replace(message, string.Empty).TrimEnd();
        if (argument is ArgumentOutOfRangeException { ActualValue: { } value } && actual >= 0)
        {
            string shown = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
            if (shown.Length > 0 && message.IndexOf(shown, StringComparison.Ordinal) < 0)
            {
                message += " (value: '" + shown + "')";
            }
        }

        return message;
    }

    /// <summary>An exception of the same meaning for a user: <paramref name="exception"/> itself when its message is clean, else an ArgumentException with the clean message.</summary>
    public static Exception ForUser(Exception exception)
    {
        string clean = Of(exception);
        return clean == exception.Message ? exception : new ArgumentException(clean, exception);
    }
}

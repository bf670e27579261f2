using System.Text.RegularExpressions;

namespace RemediationTools.Core.Roles;

/// <summary>
/// What a worker instance needs to pull its image from Amazon ECR: a registry login token (GetAuthorizationToken, which
/// IAM allows only on <c>*</c>) and the layer and image reads on exactly the named repositories. Nothing to push.
/// </summary>
internal static class WorkerImagePolicy
{
    /// <summary>The Sid of the statement on the repositories.</summary>
    public const string PullStatementSid = "WorkerImagePull";

    /// <summary>The Sid of the registry login statement.</summary>
    public const string LoginStatementSid = "WorkerImageRegistryLogin";

    /// <summary>The reads of a pull, on the repository.</summary>
    public static readonly IReadOnlyList<string> PullActions = new[] { "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" };

    /// <summary>The registry login (its resource can only be <c>*</c>).</summary>
    public static readonly IReadOnlyList<string> LoginActions = new[] { "ecr:GetAuthorizationToken" };

    private static readonly string[] AnyResource = { "*" };

    private static readonly Regex RepositoryArnPattern = new(
        "^arn:aws(-[a-z]+)*:ecr:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:repository/[a-z0-9]+([._/-][a-z0-9]+)*$",
        RegexOptions.CultureInvariant);

    /// <summary>Validates an ECR repository ARN; throws <see cref="ArgumentException"/> naming it.</summary>
    public static string ValidateRepositoryArn(string arn)
    {
        if (arn is null || !RepositoryArnPattern.IsMatch(arn))
        {
            throw new ArgumentException("-EcrRepositoryArn '" + arn + "' is not an ECR repository ARN (arn:aws:ecr:<region>:<account>:repository/<name>).", nameof(arn));
        }

        return arn;
    }

    /// <summary>The statements for <paramref name="repositories"/>; none when there are none.</summary>
    public static IReadOnlyList<PolicyStatementSpec> Statements(IReadOnlyCollection<string> repositories)
    {
        var distinct = repositories.Distinct(StringComparer.Ordinal).OrderBy(r => r, StringComparer.Ordinal).ToList();
        return distinct.Count == 0
            ? Array.Empty<PolicyStatementSpec>()
            : new[] { new PolicyStatementSpec(PullStatementSid, PullActions, distinct), new PolicyStatementSpec(LoginStatementSid, LoginActions, AnyResource) };
    }
}

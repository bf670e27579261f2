using System.Text.RegularExpressions;
using RemediationTools.Core.Aws.Signed.Rds;

namespace RemediationTools.Core.Jobs.Rds;

/// <summary>
/// The DB instance a finding names: its identifier (1 to 63 letters, digits and hyphens, starting with a letter) or its
/// ARN (<c>arn:aws:rds:&lt;region&gt;:&lt;account&gt;:db:&lt;identifier&gt;</c>) of the finding's account and region.
/// </summary>
internal sealed class RdsInstanceTarget
{
    private static readonly Regex IdentifierPattern = new("^[A-Za-z](?:[A-Za-z0-9]|-(?!-)){0,62}$", RegexOptions.CultureInvariant);

    private static readonly Regex ArnPattern = new(
        @"^arn:(?:aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):rds:(?<region>[a-z0-9-]+):(?<account>\d{12}):db:(?<id>[^:]+)$",
        RegexOptions.CultureInvariant);

    private RdsInstanceTarget(string identifier)
    {
        Identifier = identifier;
    }

    /// <summary>The instance identifier.</summary>
    public string Identifier { get; }

    /// <summary>The lock key of the instance.</summary>
    public string Key => RdsActions.InstanceKey(Identifier);

    /// <summary>The instance of <paramref name="context"/>'s ObjectId; a <see cref="FindingFormatException"/> naming it otherwise.</summary>
    public static RdsInstanceTarget Of(JobContext context, string jobId)
    {
        var text = (context.ResourceId ?? string.Empty).Trim();
        var id = text;
        var match = ArnPattern.Match(text);
        if (match.Success)
        {
            if (context.Finding.AccountId is { } account && match.Groups["account"].Value != account)
            {
                throw new JobFailureException("AccountMismatch", "The DB instance " + text + " belongs to account " + match.Groups["account"].Value + ", not to the finding's account " + account + "; nothing was changed.");
            }

            if (!string.Equals(match.Groups["region"].Value, context.Region, StringComparison.Ordinal))
            {
                throw new FindingFormatException("The DB instance ARN '" + text + "' is in region " + match.Groups["region"].Value + ", not in the finding's region " + context.Region + ".", "ObjectId");
            }

            id = match.Groups["id"].Value;
        }

        return IdentifierPattern.IsMatch(id) && !id.EndsWith("-", StringComparison.Ordinal)
            ? new RdsInstanceTarget(id)
            : throw new FindingFormatException(
                "The finding's ObjectId '" + text + "' is not a DB instance identifier (1 to 63 letters, digits or hyphens, starting with a letter) or DB instance ARN (arn:aws:rds:<region>:<account>:db:<identifier>), which " + jobId + " needs.",
                "ObjectId");
    }

    /// <summary>DescribeDBInstances of this instance (its TagList included).</summary>
    public async Task<DBInstance> DescribeAsync(JobContext context, CancellationToken cancellationToken)
    {
        var rds = context.Clients.Rds(context.Region);
        var response = await AwsCall.RunAsync(context.Reporter, RdsActions.DescribeDBInstances, Identifier, () =>
            rds.DescribeDBInstancesAsync(new DescribeDBInstancesRequest { DBInstanceIdentifier = Identifier }, cancellationToken)).ConfigureAwait(false);
        return response.DBInstances.FirstOrDefault(i => string.Equals(i.DBInstanceIdentifier, Identifier, StringComparison.OrdinalIgnoreCase))
            ?? throw new JobFailureException("DBInstanceNotFound", "DescribeDBInstances returned no DB instance " + Identifier + ".");
    }
}

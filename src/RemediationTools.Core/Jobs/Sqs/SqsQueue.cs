using System.Text.RegularExpressions;
using Amazon.SQS;
using Amazon.SQS.Model;
using RemediationTools.Core.Jobs.Policies;
using RemediationTools.Core.Jobs.S3;

namespace RemediationTools.Core.Jobs.Sqs;

/// <summary>
/// An SQS queue a job works on, by the queue URL SQS's calls take: the finding's ObjectId as a queue URL
/// (<c>https://sqs.&lt;region&gt;.amazonaws.com/&lt;account&gt;/&lt;name&gt;</c>, any host), a queue ARN, or a queue name
/// (GetQueueUrl in the finding's region, then). Reads and writes the queue's <c>Policy</c> attribute as a whole document.
/// </summary>
internal sealed class SqsQueue
{
    /// <summary>IAM action: GetQueueUrl.</summary>
    public const string GetQueueUrlAction = "sqs:GetQueueUrl";

    /// <summary>IAM action: GetQueueAttributes.</summary>
    public const string GetQueueAttributesAction = "sqs:GetQueueAttributes";

    /// <summary>IAM action: SetQueueAttributes.</summary>
    public const string SetQueueAttributesAction = "sqs:SetQueueAttributes";

    /// <summary>IAM action: ListQueueTags.</summary>
    public const string ListQueueTagsAction = "sqs:ListQueueTags";

    /// <summary>The queue attribute that holds the queue policy.</summary>
    public const string PolicyAttribute = "Policy";

    // Any host (regional, legacy queue.amazonaws.com, a VPC endpoint, an emulator): /<12-digit account>/<name>.
    private static readonly Regex UrlPattern = new(@"^https?://[^/\s]+/(?<account>\d{12})/(?<name>[A-Za-z0-9_-]{1,75}(?:\.fifo)?|[A-Za-z0-9_-]{1,80})/?$", RegexOptions.CultureInvariant);
    private static readonly Regex ArnPattern = new(@"^arn:aws(?:-cn|-us-gov)?:sqs:[a-z0-9-]+:\d{12}:(?<name>[A-Za-z0-9_-]{1,75}(?:\.fifo)?|[A-Za-z0-9_-]{1,80})$", RegexOptions.CultureInvariant);
    private static readonly Regex NamePattern = new(@"^(?:[A-Za-z0-9_-]{1,75}\.fifo|[A-Za-z0-9_-]{1,80})$", RegexOptions.CultureInvariant);

    private readonly JobContext context;

    private SqsQueue(JobContext context, string url, string name)
    {
        this.context = context;
        Url = url;
        Name = name;
    }

    /// <summary>The queue URL.</summary>
    public string Url { get; }

    /// <summary>The queue name.</summary>
    public string Name { get; }

    /// <summary>The read cache and lock key of the queue's policy.</summary>
    public string PolicyKey => "sqs:queue-policy:" + Url;

    private IAmazonSQS Client => context.Clients.Sqs(context.Region);

    /// <summary>
    /// The queue the finding names: a URL as it is, an ARN or a name through GetQueueUrl (once per batch). An ObjectId of
    /// none of these shapes is a <see cref="FindingFormatException"/> naming it.
    /// </summary>
    public static async Task<SqsQueue> OpenAsync(JobContext context, string jobId, CancellationToken cancellationToken)
    {
        var id = (context.ResourceId ?? string.Empty).Trim();
        if (UrlPattern.Match(id) is { Success: true } url)
        {
            return new SqsQueue(context, id, url.Groups["name"].Value);
        }

        string name;
        if (ArnPattern.Match(id) is { Success: true } arn)
        {
            name = arn.Groups["name"].Value;
        }
        else if (NamePattern.IsMatch(id))
        {
            name = id;
        }
        else
        {
            throw new FindingFormatException(
                "The finding's ObjectId '" + id + "' is not an SQS queue name (1 to 80 letters, digits, hyphens or underscores, .fifo allowed), queue URL or queue ARN, which " + jobId + " needs.",
                "ObjectId");
        }

        var queueUrl = await context.Cache.GetOrReadAsync("sqs:queue-url:" + name, async () =>
        {
            var response = await AwsCall.RunAsync(context.Reporter, GetQueueUrlAction, name, () =>
                context.Clients.Sqs(context.Region).GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = name }, cancellationToken)).ConfigureAwait(false);
            return response.QueueUrl;
        }).ConfigureAwait(false);
        return new SqsQueue(context, queueUrl, name);
    }

    /// <summary>The queue's tags (ListQueueTags).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReadTagsAsync(CancellationToken cancellationToken)
    {
        var response = await AwsCall.RunAsync(context.Reporter, ListQueueTagsAction, Url, () =>
            Client.ListQueueTagsAsync(new ListQueueTagsRequest { QueueUrl = Url }, cancellationToken)).ConfigureAwait(false);
        return (IReadOnlyDictionary<string, string>?)response.Tags ?? new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>The queue policy now (no cache); <see cref="PolicyDocument.None"/> when the queue has none.</summary>
    public async Task<PolicyDocument> ReadPolicyAsync(CancellationToken cancellationToken)
    {
        var response = await AwsCall.RunAsync(context.Reporter, GetQueueAttributesAction, Url, () =>
            Client.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = Url, AttributeNames = new List<string> { PolicyAttribute } }, cancellationToken)).ConfigureAwait(false);
        var text = response.Attributes is { } attributes && attributes.TryGetValue(PolicyAttribute, out var policy) ? policy : null;
        return PolicyDocument.Parse(text, "queue " + Name);
    }

    /// <summary>The queue policy, read once per batch through the read cache (planning reads).</summary>
    public Task<PolicyDocument> ReadPolicyCachedAsync(CancellationToken cancellationToken)
        => context.Cache.GetOrReadAsync(PolicyKey, () => ReadPolicyAsync(cancellationToken));

    /// <summary>
    /// Writes <paramref name="updated"/> when the policy is still <paramref name="planned"/> (re-read first): the policy
    /// text, or the empty string, which removes the policy, when <paramref name="updated"/> has no statements left.
    /// Otherwise nothing is written and the finding fails with <see cref="WholeDocumentGuard.StalePlanErrorCode"/>, on
    /// which the engine plans again from a fresh read.
    /// </summary>
    public async Task WritePolicyAsync(PolicyDocument planned, PolicyDocument updated, CancellationToken cancellationToken)
    {
        var current = await ReadPolicyAsync(cancellationToken).ConfigureAwait(false);
        if (!string.Equals(planned.Canonical, current.Canonical, StringComparison.Ordinal))
        {
            throw new JobFailureException(
                WholeDocumentGuard.StalePlanErrorCode,
                "The queue policy of " + Name + " changed after it was planned; nothing was written. Planned from: " + planned.Canonical + "; now: " + current.Canonical + ".");
        }

        var text = Removes(updated) ? string.Empty : updated.ToJson()!;
        await AwsCall.RunAsync(context.Reporter, SetQueueAttributesAction, Url, () =>
            Client.SetQueueAttributesAsync(new SetQueueAttributesRequest { QueueUrl = Url, Attributes = new Dictionary<string, string> { [PolicyAttribute] = text } }, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>True when writing <paramref name="updated"/> removes the policy (no statements left).</summary>
    public static bool Removes(PolicyDocument updated) => updated is null || !updated.Exists || updated.Statements.Count == 0;
}

using System.Globalization;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.Runtime.Internal;

namespace RemediationTools.Core.Aws;

/// <summary>
/// A step of the SDK pipeline of EC2 clients, placed right inside the SDK's retry handler: before each attempt (the
/// first and every retry, since EC2 takes a token for each) it takes a token from the call's bucket in the account's and
/// region's <see cref="Ec2RequestRateLimiter"/>, and a throttling answer slows that bucket down before the SDK retries.
/// Being before the signer, a call that waited is signed when it is sent.
/// </summary>
internal sealed class Ec2PacingHandler : PipelineHandler
{
    private readonly Func<CancellationToken, Task<Ec2RequestRateLimiter>> limiterFor;
    private readonly Action<string>? log;

    /// <summary>A handler that finds the limiter of its client's account and region through <paramref name="limiterFor"/>.</summary>
    public Ec2PacingHandler(Func<CancellationToken, Task<Ec2RequestRateLimiter>> limiterFor, Action<string>? log = null)
    {
        this.limiterFor = limiterFor ?? throw new ArgumentNullException(nameof(limiterFor));
        this.log = log;
    }

    public override async Task<T> InvokeAsync<T>(IExecutionContext executionContext)
    {
        var call = Ec2Call.Of(executionContext.RequestContext);
        var cancellationToken = executionContext.RequestContext.CancellationToken;
        var limiter = await limiterFor(cancellationToken).ConfigureAwait(false);
        await limiter.AcquireAsync(call.Action, call.FilteredOrPaginated, call.ResourceCount, cancellationToken).ConfigureAwait(false);
        try
        {
            return await base.InvokeAsync<T>(executionContext).ConfigureAwait(false);
        }
        catch (AmazonServiceException ex) when (AwsRetryPolicy.IsThrottlingCode(ex.ErrorCode))
        {
            Throttled(limiter, call, ex.ErrorCode);
            throw;
        }
    }

    public override void InvokeSync(IExecutionContext executionContext)
    {
        var call = Ec2Call.Of(executionContext.RequestContext);
        var cancellationToken = executionContext.RequestContext.CancellationToken;
        var limiter = limiterFor(cancellationToken).GetAwaiter().GetResult();
        limiter.AcquireAsync(call.Action, call.FilteredOrPaginated, call.ResourceCount, cancellationToken).GetAwaiter().GetResult();
        try
        {
            base.InvokeSync(executionContext);
        }
        catch (AmazonServiceException ex) when (AwsRetryPolicy.IsThrottlingCode(ex.ErrorCode))
        {
            Throttled(limiter, call, ex.ErrorCode);
            throw;
        }
    }

    private void Throttled(Ec2RequestRateLimiter limiter, Ec2Call call, string errorCode)
    {
        limiter.OnThrottled(call.Action, call.FilteredOrPaginated);
        log?.Invoke(string.Format(
            CultureInfo.InvariantCulture,
            "EC2 {0} throttled ({1}) in {2} {3}: its bucket now refills at {4:0.##} a second.",
            call.Action,
            errorCode,
            limiter.AccountId,
            limiter.Region,
            limiter.RequestBucket(call.Action, call.FilteredOrPaginated).CurrentRefillRate));
    }

    /// <summary>What the throttling table needs to know of a marshalled EC2 request.</summary>
    internal readonly struct Ec2Call
    {
        private Ec2Call(string action, bool filteredOrPaginated, int resourceCount)
        {
            Action = action;
            FilteredOrPaginated = filteredOrPaginated;
            ResourceCount = resourceCount;
        }

        public string Action { get; }

        public bool FilteredOrPaginated { get; }

        public int ResourceCount { get; }

        public static Ec2Call Of(IRequestContext context)
        {
            var parameters = context.Request?.Parameters;
            string? action = null;
            if (parameters is null || !parameters.TryGetValue("Action", out action) || string.IsNullOrEmpty(action))
            {
                var typeName = context.OriginalRequest?.GetType().Name ?? context.RequestName ?? "Unknown";
                action = typeName.EndsWith("Request", StringComparison.Ordinal) ? typeName.Substring(0, typeName.Length - "Request".Length) : typeName;
            }

            return parameters is null ? new Ec2Call(action!, false, 0) : Of(action!, parameters);
        }

        public static Ec2Call Of(string action, IDictionary<string, string> parameters)
        {
            var filtered = false;
            var instances = 0;
            foreach (var key in parameters.Keys)
            {
                if (key.StartsWith("Filter.", StringComparison.Ordinal) || key == "MaxResults" || key == "NextToken")
                {
                    filtered = true;
                }
                else if (key.StartsWith("InstanceId.", StringComparison.Ordinal))
                {
                    instances++;
                }
            }

            if (action == "RunInstances" && parameters.TryGetValue("MaxCount", out var maxCount)
                && int.TryParse(maxCount, NumberStyles.Integer, CultureInfo.InvariantCulture, out var launched))
            {
                instances = launched;
            }

            return new Ec2Call(action, filtered, instances);
        }
    }
}

/// <summary>An SDK EC2 client whose every call goes through an <see cref="Ec2PacingHandler"/>.</summary>
internal sealed class PacedAmazonEC2Client : AmazonEC2Client
{
    // Set after the base constructor, which builds the pipeline; the handler reads it at call time.
    private readonly Func<CancellationToken, Task<Ec2RequestRateLimiter>> limiterFor;
    private readonly Action<string>? log;

    /// <summary>A client of <paramref name="credentials"/> and <paramref name="config"/> paced by the limiter <paramref name="limiterFor"/> gives.</summary>
    public PacedAmazonEC2Client(AWSCredentials credentials, AmazonEC2Config config, Func<CancellationToken, Task<Ec2RequestRateLimiter>> limiterFor, Action<string>? log = null)
        : base(credentials, config)
    {
        this.limiterFor = limiterFor ?? throw new ArgumentNullException(nameof(limiterFor));
        this.log = log;
    }

    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        base.CustomizeRuntimePipeline(pipeline);
        pipeline.AddHandlerAfter<RetryHandler>(new Ec2PacingHandler(cancellationToken => limiterFor(cancellationToken), line => log?.Invoke(line)));
    }
}

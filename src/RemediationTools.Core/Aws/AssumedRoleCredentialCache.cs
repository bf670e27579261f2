using System.Globalization;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace RemediationTools.Core.Aws;

/// <summary>Temporary credentials of an assumed role.</summary>
internal sealed class RoleCredentials
{
    public RoleCredentials(string accessKeyId, string secretAccessKey, string sessionToken, DateTimeOffset expiration, string? accountId = null)
    {
        AccessKeyId = accessKeyId ?? throw new ArgumentNullException(nameof(accessKeyId));
        SecretAccessKey = secretAccessKey ?? throw new ArgumentNullException(nameof(secretAccessKey));
        SessionToken = sessionToken ?? throw new ArgumentNullException(nameof(sessionToken));
        Expiration = expiration;
        AccountId = accountId;
    }

    public string AccessKeyId { get; }

    public string SecretAccessKey { get; }

    public string SessionToken { get; }

    public DateTimeOffset Expiration { get; }

    /// <summary>
    /// The account STS says these credentials belong to: the account of the assumed-role user in the AssumeRole response
    /// (<c>arn:partition:sts::account:assumed-role/...</c>), or null when the response named none.
    /// </summary>
    public string? AccountId { get; }

    public ImmutableCredentials ToImmutable() => new(AccessKeyId, SecretAccessKey, SessionToken);

    /// <summary>Never the secret or the token.</summary>
    public override string ToString() => $"{AccessKeyId} (expires {Expiration:u})";
}

/// <summary>Credentials whose issuer named their account (AssumeRole does), so no GetCallerIdentity is needed to know it.</summary>
internal interface IAccountNamingCredentials
{
    /// <summary>The account of the credentials with <paramref name="accessKeyId"/>, if these are still them and STS named it; else null.</summary>
    Task<string?> AccountOfAsync(string accessKeyId);
}

/// <summary>Calls AssumeRole; the seam between the cache and STS.</summary>
internal interface IRoleCredentialsSource
{
    /// <summary>Assumes the role; throws <see cref="AssumeRoleDeniedException"/> when STS refuses.</summary>
    Task<RoleCredentials> AssumeRoleAsync(AccountRole role, string sessionName, CancellationToken cancellationToken);
}

/// <summary>AssumeRole through STS with the caller's credentials.</summary>
internal sealed class StsRoleCredentialsSource : IRoleCredentialsSource
{
    private readonly Func<IAmazonSecurityTokenService> sts;
    private readonly int durationSeconds;
    private readonly Action<string>? log;

    public StsRoleCredentialsSource(Func<IAmazonSecurityTokenService> sts, int durationSeconds = 3600, Action<string>? log = null)
    {
        this.sts = sts ?? throw new ArgumentNullException(nameof(sts));
        this.durationSeconds = durationSeconds;
        this.log = log;
    }

    public async Task<RoleCredentials> AssumeRoleAsync(AccountRole role, string sessionName, CancellationToken cancellationToken)
    {
        if (role is null)
        {
            throw new ArgumentNullException(nameof(role));
        }

        var request = new AssumeRoleRequest
        {
            RoleArn = role.RoleArn,
            ExternalId = role.ExternalId,
            RoleSessionName = sessionName,
            DurationSeconds = durationSeconds,
        };

        log?.Invoke($"STS AssumeRole {role.RoleArn} (session {sessionName})");
        AssumeRoleResponse response;
        try
        {
            response = await sts().AssumeRoleAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException ex) when (IsRefusal(ex))
        {
            throw new AssumeRoleDeniedException(role.RoleArn, role.ExternalId, ex);
        }
        catch (AmazonServiceException ex)
        {
            // Throttling or a server error after the SDK's own retries: the caller may try again, and that is a new call.
            log?.Invoke($"STS AssumeRole {role.RoleArn}: {ex.ErrorCode} after the SDK's retries");
            throw;
        }

        var credentials = response.Credentials
            ?? throw new AmazonClientException($"STS returned no credentials for role {role.RoleArn}.");
        var expiration = credentials.Expiration
            ?? throw new AmazonClientException($"STS returned credentials without an expiration for role {role.RoleArn}.");
        return new RoleCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken, AsUtc(expiration), AccountOfAssumedRole(response.AssumedRoleUser?.Arn));
    }

    /// <summary>The account of an assumed-role ARN (<c>arn:partition:sts::account:assumed-role/role/session</c>), or null.</summary>
    internal static string? AccountOfAssumedRole(string? arn)
    {
        var parts = arn?.Split(':');
        return parts is { Length: 6 } && parts[0] == "arn" && parts[2] == "sts" && parts[4].Length == 12 && parts[4].All(char.IsDigit)
               && parts[5].StartsWith("assumed-role/", StringComparison.Ordinal)
            ? parts[4]
            : null;
    }

    /// <summary>STS says AccessDenied when the trust policy does not allow the caller or the external ID does not match.</summary>
    internal static bool IsRefusal(AmazonServiceException exception) =>
        string.Equals(exception.ErrorCode, "AccessDenied", StringComparison.Ordinal)
        || string.Equals(exception.ErrorCode, "AccessDeniedException", StringComparison.Ordinal);

    private static DateTimeOffset AsUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero),
        DateTimeKind.Unspecified => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero),
        _ => new DateTimeOffset(value, TimeSpan.Zero),
    };
}

/// <summary>
/// Assumed-role credentials cached per (role ARN, external ID) and refreshed ahead of their expiry. Concurrent
/// callers for the same role share one AssumeRole call; a failed call is not cached. When a refresh fails for any
/// reason but a refusal (throttling, a server error, the network) while the current credentials have not expired
/// yet, the current ones stay in use and the refresh is tried again after <see cref="RefreshRetryDelay"/>; only a
/// failure after expiry reaches the caller. Entries not used for a while are dropped with <see cref="EvictIdle"/>.
/// </summary>
internal sealed class AssumedRoleCredentialCache : IDisposable
{
    private readonly IRoleCredentialsSource source;
    private readonly Func<DateTimeOffset> clock;
    private readonly Action<string>? log;
    private readonly Dictionary<(string RoleArn, string ExternalId), Entry> entries = new();
    private readonly CancellationTokenSource disposed = new();

    public AssumedRoleCredentialCache(
        IRoleCredentialsSource source,
        Func<DateTimeOffset>? clock = null,
        TimeSpan? refreshAhead = null,
        string? sessionName = null,
        TimeSpan? refreshRetryDelay = null,
        Action<string>? log = null)
    {
        this.source = source ?? throw new ArgumentNullException(nameof(source));
        this.clock = clock ?? (() => DateTimeOffset.UtcNow);
        RefreshAhead = refreshAhead ?? TimeSpan.FromMinutes(5);
        RefreshRetryDelay = refreshRetryDelay ?? TimeSpan.FromSeconds(30);
        if (RefreshRetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(refreshRetryDelay), RefreshRetryDelay, "The refresh retry delay cannot be negative.");
        }

        SessionName = sessionName ?? NewSessionName();
        this.log = log;
    }

    /// <summary>How long before expiry credentials are replaced.</summary>
    public TimeSpan RefreshAhead { get; }

    /// <summary>After a failed refresh of still-valid credentials, how long they are used before the next try.</summary>
    public TimeSpan RefreshRetryDelay { get; }

    /// <summary>The role session name, e.g. RemediationTools-1a2b3c4d (visible in CloudTrail).</summary>
    public string SessionName { get; }

    /// <summary>How many roles the cache holds credentials (or a pending AssumeRole) for.</summary>
    public int Count
    {
        get
        {
            lock (entries)
            {
                return entries.Count;
            }
        }
    }

    /// <summary>A session name with a short random ID.</summary>
    public static string NewSessionName() => "RemediationTools-" + Guid.NewGuid().ToString("N").Substring(0, 8);

    /// <summary>Valid credentials for the role: cached, or from one shared AssumeRole call.</summary>
    public async Task<RoleCredentials> GetAsync(AccountRole role, CancellationToken cancellationToken)
    {
        if (role is null)
        {
            throw new ArgumentNullException(nameof(role));
        }

        Entry entry;
        TaskCompletionSource<RoleCredentials>? started = null;
        Task<RoleCredentials> pending;
        lock (entries)
        {
            if (disposed.IsCancellationRequested)
            {
                throw new ObjectDisposedException(nameof(AssumedRoleCredentialCache));
            }

            var key = (role.RoleArn, role.ExternalId);
            if (!entries.TryGetValue(key, out entry!))
            {
                entry = new Entry();
                entries.Add(key, entry);
            }

            var now = clock();
            entry.LastUsed = now;
            var current = entry.Current;
            if (current is not null && (now < current.Expiration - RefreshAhead || (now < current.Expiration && now < entry.RetryRefreshAt)))
            {
                return current;
            }

            if (entry.Pending is null)
            {
                started = new TaskCompletionSource<RoleCredentials>(TaskCreationOptions.RunContinuationsAsynchronously);
                entry.Pending = started.Task;
            }

            pending = entry.Pending;
        }

        if (started is not null)
        {
            // The call belongs to every waiter, so it runs under the cache's lifetime, not this caller's token.
            _ = FetchAsync(role, entry, started);
        }

        try
        {
            return await WaitAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsWorthRetrying(ex) && StillValid(entry) is { } current)
        {
            // Only the refresh failed: the credentials in hand are good until they expire.
            return current;
        }
    }

    /// <summary>A credentials object for SDK clients that always signs with the cache's current credentials for the role.</summary>
    public AWSCredentials CredentialsFor(AccountRole role) => new CachedRoleCredentials(this, role);

    /// <summary>Drops the roles not asked for since <paramref name="idleSince"/> (none with an AssumeRole in flight); returns how many.</summary>
    public int EvictIdle(DateTimeOffset idleSince)
    {
        lock (entries)
        {
            var idle = entries.Where(e => e.Value.Pending is null && e.Value.LastUsed < idleSince).Select(e => e.Key).ToList();
            foreach (var key in idle)
            {
                entries.Remove(key);
            }

            return idle.Count;
        }
    }

    public void Dispose()
    {
        lock (entries)
        {
            if (disposed.IsCancellationRequested)
            {
                return;
            }

            disposed.Cancel();
        }

        disposed.Dispose();
    }

    /// <summary>Waits for <paramref name="task"/> (shared by several callers) until this caller's token is cancelled.</summary>
    internal static async Task<T> WaitAsync<T>(Task<T> task, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled || task.IsCompleted)
        {
            return await task.ConfigureAwait(false);
        }

        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(true), cancelled))
        {
            if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        return await task.ConfigureAwait(false);
    }

    // A refusal (trust policy, external ID) is an answer, not a fault: it reaches the caller at once. Cancellation too.
    private static bool IsWorthRetrying(Exception exception) => exception is not (AssumeRoleDeniedException or OperationCanceledException or ObjectDisposedException);

    private RoleCredentials? StillValid(Entry entry)
    {
        lock (entries)
        {
            return entry.Current is { } current && clock() < current.Expiration ? current : null;
        }
    }

    private async Task FetchAsync(AccountRole role, Entry entry, TaskCompletionSource<RoleCredentials> completion)
    {
        try
        {
            var credentials = await source.AssumeRoleAsync(role, SessionName, disposed.Token).ConfigureAwait(false);
            lock (entries)
            {
                entry.Current = credentials;
                entry.Pending = null;
                entry.RetryRefreshAt = DateTimeOffset.MinValue;
            }

            completion.TrySetResult(credentials);
        }
        catch (OperationCanceledException ex)
        {
            lock (entries)
            {
                entry.Pending = null;
            }

            completion.TrySetCanceled(ex.CancellationToken);
        }
        catch (Exception ex)
        {
            lock (entries)
            {
                entry.Pending = null;
                if (IsWorthRetrying(ex) && entry.Current is { } current && clock() < current.Expiration)
                {
                    entry.RetryRefreshAt = clock() + RefreshRetryDelay;
                    log?.Invoke("STS AssumeRole " + role.RoleArn + " failed (" + ex.Message + "); the current credentials stay in use until " +
                        current.Expiration.ToString("u", CultureInfo.InvariantCulture) + ", next try after " +
                        entry.RetryRefreshAt.ToString("u", CultureInfo.InvariantCulture) + ".");
                }
            }

            completion.TrySetException(ex);
        }
    }

    private sealed class Entry
    {
        public RoleCredentials? Current { get; set; }

        public Task<RoleCredentials>? Pending { get; set; }

        /// <summary>When the cache last handed out (or was asked for) these credentials.</summary>
        public DateTimeOffset LastUsed { get; set; }

        /// <summary>Until when the current credentials are used without another refresh, after a failed one.</summary>
        public DateTimeOffset RetryRefreshAt { get; set; } = DateTimeOffset.MinValue;
    }

    /// <summary>Credentials that read the cache each time the SDK signs, so long-lived clients survive refreshes.</summary>
    private sealed class CachedRoleCredentials : AWSCredentials, IAccountNamingCredentials
    {
        private readonly AssumedRoleCredentialCache cache;
        private readonly AccountRole role;

        public CachedRoleCredentials(AssumedRoleCredentialCache cache, AccountRole role)
        {
            this.cache = cache;
            this.role = role;
        }

        public override ImmutableCredentials GetCredentials() =>
            cache.GetAsync(role, CancellationToken.None).GetAwaiter().GetResult().ToImmutable();

        public override async Task<ImmutableCredentials> GetCredentialsAsync() =>
            (await cache.GetAsync(role, CancellationToken.None).ConfigureAwait(false)).ToImmutable();

        public async Task<string?> AccountOfAsync(string accessKeyId)
        {
            var current = await cache.GetAsync(role, CancellationToken.None).ConfigureAwait(false);
            return string.Equals(current.AccessKeyId, accessKeyId, StringComparison.Ordinal) ? current.AccountId : null;
        }
    }
}

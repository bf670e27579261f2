using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using RemediationTools.AwsSandbox.Auth;
using RemediationTools.AwsSandbox.Control;
using RemediationTools.AwsSandbox.Ec2;
using RemediationTools.AwsSandbox.Http;
using RemediationTools.AwsSandbox.Iam;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox;

/// <summary>
/// A loopback HTTP test double of the AWS APIs the module calls (EC2, STS, IAM), with SigV4
/// verification, per-action call counts and fault injection. One port serves every service.
/// </summary>
public sealed partial class SandboxServer : IDisposable
{
    private readonly SandboxState _state = new();
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly LoopbackHttpServer _http;
    private readonly AwsRequestRouter _router;
    private readonly ControlApi _control;
    private int _privateIpCounter = 10;
    private bool _disposed;

    private SandboxServer(int port)
    {
        Faults = new SandboxFaults();
        _router = new AwsRequestRouter(_state, Faults, _calls);
        _control = new ControlApi(this, _router);
        _state.InstanceHost = new InstanceHost(this);
        _http = new LoopbackHttpServer(port, HandleAsync);
        Endpoint = new Uri($"http://127.0.0.1:{_http.Port.ToString(CultureInfo.InvariantCulture)}/");
    }

    /// <summary>Starts a server on 127.0.0.1.</summary>
    /// <param name="port">The TCP port; 0 picks a free one.</param>
    /// <returns>The running server.</returns>
    public static SandboxServer Start(int port = 0) => new(port);

    /// <summary>The base URL to use as the SDK's ServiceURL or AWS_ENDPOINT_URL, e.g. http://127.0.0.1:5123/.</summary>
    public Uri Endpoint { get; }

    /// <summary>Snapshot of the calls received, keyed "service:Action" (e.g. "ec2:RevokeSecurityGroupIngress").</summary>
    public IReadOnlyDictionary<string, int> CallCounts => new Dictionary<string, int>(_calls, StringComparer.Ordinal);

    /// <summary>
    /// Completes once <see cref="CallCounts"/> holds at least <paramref name="count"/> calls of <paramref name="callKey"/>
    /// ("service:Action"): a test waits for the code under test to have made its calls, not for time to pass.
    /// </summary>
    public Task WhenCalledAsync(string callKey, int count, CancellationToken cancellationToken = default)
        => Faults.WhenCountedAsync(_calls, callKey, count, cancellationToken);

    /// <summary>Fault injection settings (throttling, server errors, latency, seed).</summary>
    public SandboxFaults Faults { get; }

    /// <summary>The sandbox's notion of now; tests move it forward to expire temporary credentials.</summary>
    public Func<DateTimeOffset> Clock
    {
        get { lock (_state.Gate) { return _state.Clock; } }
        set { lock (_state.Gate) { _state.Clock = value ?? throw new ArgumentNullException(nameof(value)); } }
    }

    /// <summary>
    /// Read-after-write lag, counted in reads so tests stay deterministic: after a change to a security group (rules,
    /// tags) or a network ACL (entries), the next N describe calls that return it still show it as before the change,
    /// as EC2's eventual consistency may. 0 (the default) turns it off. Mutating calls always see the real state;
    /// control-API calls are never lagged.
    /// </summary>
    public int ReadLag
    {
        get { lock (_state.Gate) { return _state.ReadLag; } }
        set { lock (_state.Gate) { _state.ReadLag = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The read lag is a number of reads, 0 or more."); } }
    }

    /// <summary>
    /// Small pages: a describe call that pages (passes MaxResults) gets at most this many items per page, with a
    /// NextToken for the rest, as EC2 may return fewer items than asked for. Calls without MaxResults get everything,
    /// as in AWS. Null (the default) turns it off.
    /// </summary>
    public int? MaxPageSize
    {
        get { lock (_state.Gate) { return _state.MaxPageSize; } }
        set { lock (_state.Gate) { _state.MaxPageSize = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A page holds at least 1 item."); } }
    }

    /// <summary>Ends every read-after-write lag window at once, as if EC2 had caught up (for test setup; no waiting).</summary>
    public void Settle()
    {
        lock (_state.Gate)
        {
            foreach (var region in _state.Accounts.Values.SelectMany(a => a.Ec2Regions.Values))
            {
                region.LaggedGroups.Clear();
                region.LaggedNetworkAcls.Clear();
            }
        }
    }

    /// <summary>
    /// EC2's request-rate throttling per account and region (the EC2 API reference's token buckets): null (the
    /// default) turns it off; <see cref="Ec2.Ec2RateLimits.AwsDefaults"/> or custom limits turn it on. Setting it starts
    /// every bucket full. Buckets refill from <see cref="Clock"/>. A call that finds its bucket empty fails with HTTP 503
    /// <c>RequestLimitExceeded</c>, takes no token and changes nothing; it counts in <see cref="CallCounts"/> as any
    /// call and in <see cref="Ec2ThrottledCalls"/>.
    /// </summary>
    public Ec2.Ec2RateLimits? Ec2RateLimits
    {
        get { lock (_state.Gate) { return _state.Ec2RateLimiter?.Limits; } }
        set { lock (_state.Gate) { _state.Ec2RateLimiter = value is null ? null : new Ec2RequestRateLimiter(value); } }
    }

    /// <summary>
    /// Snapshot of the EC2 calls refused by <see cref="Ec2RateLimits"/>, keyed "ec2:Action" (not the random throttling
    /// of <see cref="Faults"/>); cleared by <see cref="ResetCallCounts"/>.
    /// </summary>
    public IReadOnlyDictionary<string, int> Ec2ThrottledCalls
    {
        get { lock (_state.Gate) { return new Dictionary<string, int>(_state.Ec2ThrottledCalls, StringComparer.Ordinal); } }
    }

    /// <summary>Every EC2 action the sandbox emulates (each one has its category in <see cref="Ec2ThrottlingCategories"/>).</summary>
    public static IReadOnlyCollection<string> EmulatedEc2Actions => Ec2Service.EmulatedActions;

    /// <summary>Clears <see cref="CallCounts"/> and <see cref="Ec2ThrottledCalls"/>.</summary>
    public void ResetCallCounts()
    {
        _calls.Clear();
        lock (_state.Gate)
        {
            _state.Ec2ThrottledCalls.Clear();
        }
    }

    /// <summary>
    /// Creates an account (or, for an existing id, a further root access key) and returns its root
    /// credentials. The account gets a default VPC and default security group in each region it uses,
    /// or, with <paramref name="defaultVpc"/> false, a non-default VPC instead (an account whose default
    /// VPCs were deleted): then calls that fall back to the default VPC (CreateSecurityGroup without VpcId,
    /// group names instead of IDs) fail with VPCIdNotSpecified, and revokes follow non-default VPC rules.
    /// </summary>
    /// <param name="accountId">A 12-digit id, or null to generate one.</param>
    /// <param name="defaultVpc">False for an account without default VPCs; ignored for an existing account.</param>
    /// <param name="organizationId">The organization the account is a member of (<c>aws:PrincipalOrgID</c>), or null.</param>
    /// <returns>The account id and root credentials.</returns>
    public SandboxAccount CreateAccount(string? accountId = null, bool defaultVpc = true, string? organizationId = null)
    {
        if (accountId is not null && !AccountIdPattern().IsMatch(accountId))
        {
            throw new ArgumentException("An account id is 12 digits.", nameof(accountId));
        }

        // The pattern of an organization ID in the AWS Organizations API reference.
        if (organizationId is not null && !OrganizationIdPattern().IsMatch(organizationId))
        {
            throw new ArgumentException($"'{organizationId}' is not an organization ID (o- and 10 to 32 lower-case letters or digits).", nameof(organizationId));
        }

        lock (_state.Gate)
        {
            accountId ??= NewAccountId();
            if (!_state.Accounts.TryGetValue(accountId, out var state))
            {
                state = new AccountState(accountId, defaultVpc);
                _state.Accounts[accountId] = state;
            }

            state.OrganizationId = organizationId ?? state.OrganizationId;

            var credential = _state.IssueRootCredential(accountId);
            return new SandboxAccount(accountId, credential.AccessKeyId, credential.SecretAccessKey);
        }
    }

    /// <summary>
    /// Creates an IAM user with an access key. AWS refuses AssumeRole signed by root keys, so callers
    /// that assume roles need a user (or a role session).
    /// </summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="userName">The user name.</param>
    /// <param name="policyDocument">The user's inline policy; null allows every action on every resource.</param>
    /// <returns>The account id and the user's access key.</returns>
    public SandboxAccount CreateUser(string accountId, string userName, string? policyDocument = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        policyDocument ??= """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""";
        Policies.PolicyDocument.Parse(policyDocument, isTrustPolicy: false);
        lock (_state.Gate)
        {
            var iam = _state.Account(accountId).Iam;
            if (!iam.Users.TryGetValue(userName, out var user))
            {
                user = new IamUser { Name = userName, UserId = IdGenerator.IamId("AIDA", 17), Arn = $"arn:aws:iam::{accountId}:user/{userName}" };
                iam.Users[userName] = user;
            }

            user.InlinePolicies["SandboxUserPolicy"] = policyDocument;
            var principal = new CallerPrincipal(accountId, PrincipalKind.User, user.Arn, user.UserId, user.Name, user.Arn, null);
            var credential = new IssuedCredential(IdGenerator.IamId("AKIA", 16), IdGenerator.Secret(), null, null, principal);
            _state.Credentials[credential.AccessKeyId] = credential;
            return new SandboxAccount(accountId, credential.AccessKeyId, credential.SecretAccessKey);
        }
    }

    /// <summary>Adds a non-default VPC (with its own default security group) and returns its id.</summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="region">The region, e.g. us-east-1.</param>
    /// <param name="cidrBlock">The VPC's IPv4 block.</param>
    /// <returns>The vpc-… id.</returns>
    public string AddVpc(string accountId, string region, string cidrBlock = "10.0.0.0/16")
    {
        lock (_state.Gate)
        {
            return _state.AddVpc(accountId, region, cidrBlock).VpcId;
        }
    }

    /// <summary>
    /// Returns the id of the default security group of the region's first VPC (the default VPC, or the
    /// non-default VPC of an account without default VPCs).
    /// </summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="region">The region.</param>
    /// <returns>The sg-… id.</returns>
    public string GetDefaultSecurityGroupId(string accountId, string region)
    {
        lock (_state.Gate)
        {
            return _state.Ec2(accountId, region).FirstVpc.DefaultSecurityGroupId;
        }
    }

    /// <summary>Returns the id of the region's first VPC: the default VPC, or the non-default VPC of an account without default VPCs.</summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="region">The region.</param>
    /// <returns>The vpc-… id.</returns>
    public string GetFirstVpcId(string accountId, string region)
    {
        lock (_state.Gate)
        {
            return _state.Ec2(accountId, region).FirstVpc.VpcId;
        }
    }

    /// <summary>
    /// Seeds a running instance (there is no RunInstances) with one network interface per entry of
    /// <paramref name="securityGroupIdsPerNetworkInterface"/>, each using the listed groups.
    /// </summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="region">The region.</param>
    /// <param name="securityGroupIdsPerNetworkInterface">For each interface (device index order), its security group ids.</param>
    /// <param name="tags">Instance tags.</param>
    /// <returns>The i-… id.</returns>
    public string AddInstance(string accountId, string region, IReadOnlyList<IReadOnlyList<string>> securityGroupIdsPerNetworkInterface, IDictionary<string, string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(securityGroupIdsPerNetworkInterface);
        if (securityGroupIdsPerNetworkInterface.Count == 0 || securityGroupIdsPerNetworkInterface.Any(g => g.Count == 0))
        {
            throw new ArgumentException("An instance needs at least one network interface, each with at least one security group.", nameof(securityGroupIdsPerNetworkInterface));
        }

        lock (_state.Gate)
        {
            var state = _state.Ec2(accountId, region);
            var groups = securityGroupIdsPerNetworkInterface.SelectMany(g => g)
                .Select(id => state.FindGroup(id) ?? throw new ArgumentException($"Security group '{id}' does not exist in {accountId}/{region}.", nameof(securityGroupIdsPerNetworkInterface)))
                .ToList();
            var vpcId = groups[0].VpcId;
            if (groups.Any(g => g.VpcId != vpcId))
            {
                throw new ArgumentException("All security groups of an instance must be in one VPC.", nameof(securityGroupIdsPerNetworkInterface));
            }

            var vpc = state.Vpcs[vpcId];
            var now = _state.Now;
            var instance = new Instance
            {
                InstanceId = IdGenerator.Ec2("i"),
                ReservationId = IdGenerator.Ec2("r"),
                OwnerId = accountId,
                VpcId = vpcId,
                SubnetId = vpc.SubnetId,
                AvailabilityZone = region + "a",
                LaunchTime = now,
            };
            for (var index = 0; index < securityGroupIdsPerNetworkInterface.Count; index++)
            {
                var ip = ++_privateIpCounter;
                var eni = new NetworkInterface
                {
                    NetworkInterfaceId = IdGenerator.Ec2("eni"),
                    VpcId = vpcId,
                    SubnetId = vpc.SubnetId,
                    OwnerId = accountId,
                    PrivateIpAddress = string.Create(CultureInfo.InvariantCulture, $"{string.Join('.', vpc.CidrBlock.Split('.').Take(2))}.{ip / 250}.{(ip % 250) + 4}"),
                    MacAddress = string.Join(':', Enumerable.Range(0, 6).Select(_ => IdGenerator.Hex(2))),
                    InstanceId = instance.InstanceId,
                    AttachmentId = IdGenerator.Ec2("eni-attach"),
                    DeviceIndex = index,
                    AttachTime = now,
                };
                eni.GroupIds.AddRange(securityGroupIdsPerNetworkInterface[index].Distinct());
                instance.NetworkInterfaces.Add(eni);
            }

            foreach (var tag in tags ?? new Dictionary<string, string>())
            {
                instance.Tags.Add(tag);
            }

            state.Instances.Add(instance);
            return instance.InstanceId;
        }
    }

    /// <summary>Stops listening and releases the port; stops every launched instance's process and metadata service.</summary>
    public void Dispose()
    {
        lock (_state.Gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        StopInstances();
        _http.Dispose();
    }

    private string NewAccountId()
    {
        string id;
        do
        {
            id = IdGenerator.AccountId();
        }
        while (_state.Accounts.ContainsKey(id));
        return id;
    }

    private Task<SandboxHttpResponse> HandleAsync(SandboxHttpRequest request) =>
        request.RawPath.StartsWith(ControlApi.PathPrefix, StringComparison.Ordinal)
            ? Task.FromResult(_control.Handle(request))
            : _router.HandleAsync(request);

    [GeneratedRegex(@"^\d{12}$")]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex(@"^o-[a-z0-9]{10,32}$")]
    private static partial Regex OrganizationIdPattern();
}

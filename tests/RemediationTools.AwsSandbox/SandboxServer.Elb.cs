using System.Globalization;
using System.Text.RegularExpressions;
using RemediationTools.AwsSandbox.CloudTrail;
using RemediationTools.AwsSandbox.Elb;
using RemediationTools.AwsSandbox.Elbv2;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox;

public sealed partial class SandboxServer
{
    /// <summary>
    /// Seeds a Classic Load Balancer (there is no CreateLoadBalancer) with AWS's default attributes: access logs off,
    /// connection draining off (timeout 300), idle timeout 60, cross-zone off, desync mitigation defensive.
    /// </summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="region">The region.</param>
    /// <param name="name">1 to 32 letters, digits and hyphens, not starting or ending with a hyphen; unique in the region.</param>
    /// <param name="tags">The load balancer's tags.</param>
    /// <returns>The load balancer's DNS name.</returns>
    public string AddClassicLoadBalancer(string accountId, string region, string name, IDictionary<string, string>? tags = null)
    {
        CheckLoadBalancerName(name);
        lock (_state.Gate)
        {
            var state = _state.Elb(accountId, region);
            if (state.Classic.ContainsKey(name))
            {
                throw new ArgumentException($"A classic load balancer named '{name}' already exists in {accountId}/{region}.", nameof(name));
            }

            var lb = new ClassicLoadBalancer
            {
                Name = name,
                AccountId = accountId,
                Region = region,
                CreatedTime = _state.Now,
                DnsName = $"{name}-{Random.Shared.Next(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture)}.{region}.elb.amazonaws.com",
                VpcId = _state.Ec2(accountId, region).FirstVpc.VpcId,
            };
            lb.Tags.AddRange(tags ?? new Dictionary<string, string>());
            state.Classic[name] = lb;
            return lb.DnsName;
        }
    }

    /// <summary>Seeds an ELBv2 load balancer of <paramref name="type"/> (application, network or gateway) with its type's default attributes.</summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="region">The region.</param>
    /// <param name="name">1 to 32 letters, digits and hyphens; unique among the region's v2 load balancers.</param>
    /// <param name="type">application, network or gateway.</param>
    /// <param name="tags">The load balancer's tags.</param>
    /// <returns>The load balancer's ARN.</returns>
    public string AddLoadBalancerV2(string accountId, string region, string name, string type = "application", IDictionary<string, string>? tags = null)
    {
        CheckLoadBalancerName(name);
        var defaults = Elbv2Attributes.For(type);
        lock (_state.Gate)
        {
            var state = _state.Elb(accountId, region);
            if (state.V2.Any(lb => lb.Name == name))
            {
                throw new ArgumentException($"A load balancer named '{name}' already exists in {accountId}/{region}.", nameof(name));
            }

            var lb = new LoadBalancerV2
            {
                Name = name,
                AccountId = accountId,
                Region = region,
                Type = type,
                Id = IdGenerator.Hex(16),
                CreatedTime = _state.Now,
                VpcId = _state.Ec2(accountId, region).FirstVpc.VpcId,
            };
            lb.Attributes.AddRange(defaults.Select(d => new KeyValuePair<string, string>(d.Key, d.Default)));
            lb.Tags.AddRange(tags ?? new Dictionary<string, string>());
            state.V2.Add(lb);
            return lb.Arn;
        }
    }

    /// <summary>
    /// Seeds a CloudTrail trail in its home region (there is no CreateTrail). A multi-region trail is seen, as a shadow
    /// trail, from every region.
    /// </summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="homeRegion">The region the trail is created in.</param>
    /// <param name="name">The trail name (3 to 128 characters, CloudTrail's rules); unique in the home region.</param>
    /// <param name="s3BucketName">The bucket the trail writes to.</param>
    /// <param name="isMultiRegionTrail">True for a trail of every region.</param>
    /// <param name="isOrganizationTrail">True for an organization trail.</param>
    /// <param name="kmsKeyId">The KMS key ARN the logs are encrypted with, or null.</param>
    /// <param name="tags">The trail's tags, or null.</param>
    /// <returns>The trail's ARN.</returns>
    public string AddTrail(string accountId, string homeRegion, string name, string s3BucketName, bool isMultiRegionTrail = false, bool isOrganizationTrail = false, string? kmsKeyId = null, IReadOnlyDictionary<string, string>? tags = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(s3BucketName);
        try
        {
            CloudTrailService.ValidateName(name);
        }
        catch (AwsServiceError error)
        {
            throw new ArgumentException(error.Message, nameof(name), error);
        }

        lock (_state.Gate)
        {
            var trails = _state.TrailsOf(accountId);
            if (trails.Any(t => t.Name == name && t.HomeRegion == homeRegion))
            {
                throw new ArgumentException($"A trail named '{name}' already exists in {accountId}/{homeRegion}.", nameof(name));
            }

            var trail = new SandboxTrail
            {
                Name = name,
                AccountId = accountId,
                HomeRegion = homeRegion,
                S3BucketName = s3BucketName,
                IsMultiRegionTrail = isMultiRegionTrail,
                IsOrganizationTrail = isOrganizationTrail,
                KmsKeyId = kmsKeyId,
                Tags = tags?.Select(t => new KeyValuePair<string, string>(t.Key, t.Value)).ToList() ?? [],
            };
            trails.Add(trail);
            return trail.TrailArn;
        }
    }

    private static void CheckLoadBalancerName(string name)
    {
        if (name is null || !LoadBalancerNamePattern().IsMatch(name) || name.StartsWith("internal-", StringComparison.Ordinal))
        {
            throw new ArgumentException($"The load balancer name '{name}' is not valid: 1 to 32 letters, digits and hyphens, not starting or ending with a hyphen nor starting with 'internal-'.", nameof(name));
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")]
    private static partial Regex LoadBalancerNamePattern();
}

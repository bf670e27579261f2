using Amazon.EC2;
using Amazon.KeyManagementService;
using Amazon.S3;
using Amazon.SecurityToken;
using Amazon.SimpleSystemsManagement;
using Amazon.SQS;
using RemediationTools.Core.Aws.Signed;
using RemediationTools.Core.Aws.Signed.CloudTrail;
using RemediationTools.Core.Aws.Signed.ElasticLoadBalancing;
using RemediationTools.Core.Aws.Signed.ElasticLoadBalancingV2;
using RemediationTools.Core.Aws.Signed.Rds;
using RemediationTools.Core.Aws.Signed.Kinesis;

namespace RemediationTools.Core.Aws;

/// <summary>
/// The role a worker or a user assumes in a cloud account, with the external ID its trust policy requires.
/// </summary>
public sealed class AccountRole
{
    /// <summary>Creates the role reference.</summary>
    public AccountRole(string roleArn, string externalId)
    {
        RoleArn = roleArn ?? throw new ArgumentNullException(nameof(roleArn));
        ExternalId = externalId ?? throw new ArgumentNullException(nameof(externalId));
    }

    /// <summary>ARN of the role in the cloud account.</summary>
    public string RoleArn { get; }

    /// <summary>External ID required by the role's trust policy.</summary>
    public string ExternalId { get; }
}

/// <summary>
/// Gives the engine AWS clients for one account: the caller's own credentials, or the credentials of a
/// role assumed in a cloud account. Implementations assume a role once per (role ARN, external ID) and
/// refresh the credentials before they expire, never once per finding.
/// </summary>
internal interface IAwsClientFactory
{
    /// <summary>Clients signed with the caller's credentials when <paramref name="role"/> is null, else with the assumed role's.</summary>
    Task<IAwsClients> ForAccountAsync(AccountRole? role, CancellationToken cancellationToken);
}

/// <summary>AWS clients bound to one set of credentials; one client per service and region, reused.</summary>
internal interface IAwsClients
{
    /// <summary>EC2 client for the region.</summary>
    IAmazonEC2 Ec2(string region);

    /// <summary>
    /// S3 client that signs for <paramref name="region"/>: a bucket's requests go to the bucket's own region (from the
    /// finding, else GetBucketLocation), so one client per region the batch's buckets live in.
    /// </summary>
    IAmazonS3 S3(string region);

    /// <summary>KMS client for the region.</summary>
    IAmazonKeyManagementService Kms(string region);

    /// <summary>SQS client for the region (the queues the jobs fix; the AWS store makes its own).</summary>
    IAmazonSQS Sqs(string region);

    /// <summary>STS client for the region.</summary>
    IAmazonSecurityTokenService Sts(string region);

    /// <summary>Systems Manager client for the region (Parameter Store: the workers' secrets, the public AMI parameters).</summary>
    IAmazonSimpleSystemsManagement Ssm(string region);

    /// <summary>IAM client (a global service, signed for the partition of the connection's region).</summary>
    IIamClient Iam();

    /// <summary>Classic Load Balancing client for the region (API 2012-06-01).</summary>
    IElasticLoadBalancingClient ElasticLoadBalancing(string region);

    /// <summary>ELBv2 client for the region (application, network and gateway load balancers; API 2015-12-01).</summary>
    IElasticLoadBalancingV2Client ElasticLoadBalancingV2(string region);

    /// <summary>RDS client for the region (DB instances, clusters and their snapshots; API 2014-10-31).</summary>
    IRdsClient Rds(string region);

    /// <summary>CloudTrail client for the region.</summary>
    ICloudTrailClient CloudTrail(string region);

    /// <summary>Kinesis Data Streams client for the region.</summary>
    IKinesisClient Kinesis(string region);

    /// <summary>
    /// The account the credentials belong to, as STS says: for role credentials, the assumed-role user that AssumeRole
    /// returned with them (no call); for others, GetCallerIdentity (it needs no IAM permission), asked once per set of
    /// credentials and cached with them: asked again only after the credentials were replaced, never per finding.
    /// </summary>
    Task<string> AccountIdAsync(CancellationToken cancellationToken);
}

using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed;
using RemediationTools.Core.Tests.Jobs;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>The sandbox's IAM account actions through the signed IAM client: server certificate paging, account summary, the policy's absence.</summary>
public sealed class SandboxIamAccountTests : IDisposable
{
    private readonly SandboxServer server = SandboxEc2.StartForJobs();
    private readonly SandboxAccount account;
    private readonly AwsClientFactory factory;

    public SandboxIamAccountTests()
    {
        account = SandboxEc2.JobAccount(server);
        factory = AwsClientFactory.CreateAsync(
            new AwsConnectionOptions { AccessKey = account.AccessKeyId, SecretKey = account.SecretAccessKey, Region = "us-east-1", EndpointUrl = server.Endpoint.ToString() },
            null,
            CancellationToken.None).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        factory.Dispose();
        server.Dispose();
    }

    private async Task<IIamClient> IamAsync() => (await factory.ForAccountAsync(null, CancellationToken.None)).Iam();

    [Fact]
    public async Task ListServerCertificates_SmallPages_MarkerPagingReturnsEveryCertificateWithItsExpiration()
    {
        var expiry = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        foreach (var name in new[] { "a-cert", "b-cert", "c-cert" })
        {
            server.AddServerCertificate(account.AccountId, name, expiry);
        }

        server.MaxPageSize = 2;
        var iam = await IamAsync();
        var names = new List<string>();
        string? marker = null;
        var pages = 0;
        do
        {
            var page = await iam.ListServerCertificatesAsync(new ListServerCertificatesRequest { Marker = marker });
            names.AddRange(page.ServerCertificateMetadataList.Select(m => m.ServerCertificateName));
            Assert.All(page.ServerCertificateMetadataList, m => Assert.Equal(expiry.UtcDateTime, m.Expiration));
            marker = page.IsTruncated ? page.Marker : null;
            pages++;
        }
        while (marker is not null);

        Assert.Equal(new[] { "a-cert", "b-cert", "c-cert" }, names);
        Assert.Equal(2, pages);
    }

    [Fact]
    public async Task GetAccountSummary_RootKeysSeeded_AccountAccessKeysPresentIsOne()
    {
        var iam = await IamAsync();
        Assert.Equal(0, (await iam.GetAccountSummaryAsync(new GetAccountSummaryRequest())).SummaryMap["AccountAccessKeysPresent"]);

        server.SetRootAccessKeys(account.AccountId, 2);

        Assert.Equal(1, (await iam.GetAccountSummaryAsync(new GetAccountSummaryRequest())).SummaryMap["AccountAccessKeysPresent"]);
    }

    [Fact]
    public async Task AccountPasswordPolicy_None_GetAndDeleteAreNoSuchEntity()
    {
        var iam = await IamAsync();

        var get = await Assert.ThrowsAnyAsync<Amazon.Runtime.AmazonServiceException>(() => iam.GetAccountPasswordPolicyAsync(new GetAccountPasswordPolicyRequest()));
        var delete = await Assert.ThrowsAnyAsync<Amazon.Runtime.AmazonServiceException>(() => iam.DeleteAccountPasswordPolicyAsync(new DeleteAccountPasswordPolicyRequest()));

        Assert.Equal("NoSuchEntity", get.ErrorCode);
        Assert.Equal("NoSuchEntity", delete.ErrorCode);
        Assert.Contains(account.AccountId, get.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteServerCertificate_Missing_NoSuchEntityNamingIt()
    {
        var iam = await IamAsync();

        var ex = await Assert.ThrowsAnyAsync<Amazon.Runtime.AmazonServiceException>(() => iam.DeleteServerCertificateAsync(new DeleteServerCertificateRequest { ServerCertificateName = "gone" }));

        Assert.Equal("NoSuchEntity", ex.ErrorCode);
        Assert.Contains("gone", ex.Message, StringComparison.Ordinal);
    }
}

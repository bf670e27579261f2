using RemediationTools.Core.Stores;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Tests.Stores;

public sealed class WorkerGroupServiceTests : IDisposable
{
    private const string Org = "o-abcdefghij";
    private readonly StoreTestFolder folder = new();
    private readonly LocalFolderStore store;
    private readonly WorkerGroupService service;

    public WorkerGroupServiceTests()
    {
        store = new LocalFolderStore(folder.Path);
        service = new WorkerGroupService(store, hashIterations: ClientSecretHasher.MinimumIterations);
    }

    public void Dispose() => folder.Dispose();

    private static RemediationCloudAccount Account(string accountId, string? externalId = null)
        => new() { RoleArn = "arn:aws:iam::" + accountId + ":role/RemediationRole", ExternalId = externalId ?? string.Empty };

    private Task<WorkerGroupCreated> CreateAsync(string name = "prod", params RemediationCloudAccount[] accounts)
        => service.CreateAsync(name, "production", Org, accounts.Length == 0 ? new[] { Account("111122223333") } : accounts, allowDisruptive: false, CancellationToken.None);

    [Fact]
    public async Task Create_ValidGroup_DeploymentOnceSecretOnlyAsHash()
    {
        var created = await CreateAsync("prod", Account("111122223333", Org), Account("444455556666"));
        var secret = created.Deployment.PlainClientSecret;

        var group = await service.GetAsync("PROD", CancellationToken.None);

        Assert.Equal(new[] { "111122223333", "444455556666" }, group.CloudAccounts.Select(a => a.AccountId));
        Assert.All(group.CloudAccounts, a => Assert.Equal(Org, a.ExternalId));
        Assert.Equal(created.Group.ClientId, created.Deployment.ClientId);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", secret);
        Assert.Empty(folder.FilesContaining(secret));
        Assert.DoesNotContain(secret, created.Deployment.DockerRunCommand, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, created.Deployment.ProcessCommand, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, string.Join(" ", created.Deployment.Environment.Values), StringComparison.Ordinal);
        Assert.DoesNotContain("-e REMEDIATION_CLIENT_SECRET ", created.Deployment.DockerRunCommand, StringComparison.Ordinal);
        Assert.Contains("--mount type=bind,source='" + created.Deployment.ClientSecretFile + "',target=/run/secrets/remediation-client-secret,readonly", created.Deployment.DockerRunCommand, StringComparison.Ordinal);
        Assert.Contains("-e REMEDIATION_CLIENT_SECRET_FILE=/run/secrets/remediation-client-secret ", created.Deployment.DockerRunCommand, StringComparison.Ordinal);
        Assert.Contains("REMEDIATION_CLIENT_SECRET_FILE='" + created.Deployment.ClientSecretFile + "'", created.Deployment.ProcessCommand, StringComparison.Ordinal);
        Assert.Equal("REMEDIATION_CLIENT_SECRET_FILE", created.Deployment.ClientSecretVariable);
        Assert.Equal(WorkerGroupService.DefaultClientSecretFile("prod"), created.Deployment.ClientSecretFile);
        Assert.DoesNotContain(folder.Path, created.Deployment.ClientSecretFile, StringComparison.Ordinal);

        // No AWS keys on the command line or in the container's configuration: the profile files are mounted read-only.
        foreach (var command in new[] { created.Deployment.DockerRunCommand, created.Deployment.ProcessCommand })
        {
            Assert.DoesNotContain("AWS_ACCESS_KEY_ID", command, StringComparison.Ordinal);
            Assert.DoesNotContain("AWS_SECRET_ACCESS_KEY", command, StringComparison.Ordinal);
            Assert.DoesNotContain("AWS_SESSION_TOKEN", command, StringComparison.Ordinal);
        }

        Assert.Contains("--mount type=bind,source=\"$HOME/.aws\",target=/run/aws,readonly", created.Deployment.DockerRunCommand, StringComparison.Ordinal);
        Assert.Contains("-e REMEDIATION_CLIENT_ID=" + group.ClientId, created.Deployment.DockerRunCommand, StringComparison.Ordinal);
        Assert.Equal("prod", created.Deployment.Environment["REMEDIATION_WORKER_GROUP"]);
        Assert.EndsWith(" remediation-worker", created.Deployment.ProcessCommand, StringComparison.Ordinal);
        Assert.Equal(group.ClientId, (await service.VerifyAsync("prod", group.ClientId, secret, CancellationToken.None)).Group.ClientId);
    }

    [Theory]
    [InlineData("arn:aws:iam::111122223333:role/R", "o-otherorgid1", "is not the organization ID")]
    [InlineData("arn:aws:s3:::bucket", "", "role ARN 'arn:aws:s3:::bucket' is not valid")]
    public async Task Create_BadAccount_InvalidInputNamingItNothingStored(string roleArn, string externalId, string expected)
    {
        var error = await Assert.ThrowsAsync<RemediationStoreException>(() => service.CreateAsync("prod", null, Org, new[] { new RemediationCloudAccount { RoleArn = roleArn, ExternalId = externalId } }, false, CancellationToken.None));

        Assert.Equal(StoreError.InvalidInput, error.Error);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Empty(await service.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Create_NoAccountOrBadOrganization_Refused()
    {
        var none = await Assert.ThrowsAsync<RemediationStoreException>(() => service.CreateAsync("prod", null, Org, Array.Empty<RemediationCloudAccount>(), false, CancellationToken.None));
        var badOrg = await Assert.ThrowsAsync<RemediationStoreException>(() => service.CreateAsync("prod", null, "org-1", new[] { Account("111122223333") }, false, CancellationToken.None));

        Assert.Contains("at least one cloud account", none.Message, StringComparison.Ordinal);
        Assert.Contains("'org-1'", badOrg.Message, StringComparison.Ordinal);
        Assert.Empty(await service.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Verify_WrongSecretOrId_CredentialsRefused()
    {
        var created = await CreateAsync();

        var wrongSecret = await Assert.ThrowsAsync<RemediationStoreException>(() => service.VerifyAsync("prod", created.Group.ClientId, created.Deployment.PlainClientSecret + "x", CancellationToken.None));
        var wrongId = await Assert.ThrowsAsync<RemediationStoreException>(() => service.VerifyAsync("prod", "0" + created.Group.ClientId, created.Deployment.PlainClientSecret, CancellationToken.None));
        var noGroup = await Assert.ThrowsAsync<RemediationStoreException>(() => service.VerifyAsync("dev", created.Group.ClientId, created.Deployment.PlainClientSecret, CancellationToken.None));

        Assert.Equal(StoreError.CredentialsRefused, wrongSecret.Error);
        Assert.Equal(StoreError.CredentialsRefused, wrongId.Error);
        Assert.Equal(StoreError.GroupNotFound, noGroup.Error);
        Assert.Equal(wrongSecret.Message, wrongId.Message);
    }

    [Fact]
    public async Task ResetSecret_OldSecretRefusedNewAcceptedClientIdKept()
    {
        var created = await CreateAsync();

        var reset = await service.ResetSecretAsync("prod", CancellationToken.None);

        await Assert.ThrowsAsync<RemediationStoreException>(() => service.VerifyAsync("prod", created.Group.ClientId, created.Deployment.PlainClientSecret, CancellationToken.None));
        Assert.Equal(created.Group.ClientId, reset.ClientId);
        Assert.Equal(2, (await service.VerifyAsync("prod", reset.ClientId, reset.PlainClientSecret, CancellationToken.None)).Version);
        Assert.Empty(folder.FilesContaining(reset.PlainClientSecret));
    }

    [Fact]
    public async Task AddAndRemoveAccounts_ChangesGroupLastAccountKept()
    {
        await CreateAsync();

        var added = await service.AddAccountsAsync("prod", new[] { Account("444455556666") }, CancellationToken.None);
        var removed = await service.RemoveAccountsAsync("prod", new[] { "111122223333" }, CancellationToken.None);
        var last = await Assert.ThrowsAsync<RemediationStoreException>(() => service.RemoveAccountsAsync("prod", new[] { "444455556666" }, CancellationToken.None));
        var missing = await Assert.ThrowsAsync<RemediationStoreException>(() => service.RemoveAccountsAsync("prod", new[] { "999999999999" }, CancellationToken.None));

        Assert.Equal(2, added.CloudAccounts.Count);
        Assert.Equal("444455556666", Assert.Single(removed.CloudAccounts).AccountId);
        Assert.Equal(StoreError.InvalidInput, last.Error);
        Assert.Equal(StoreError.AccountNotInGroup, missing.Error);
        Assert.Single((await service.GetAsync("prod", CancellationToken.None)).CloudAccounts);
    }

    [Fact]
    public async Task Dispatcher_FindingOutsideGroup_RefusedNothingQueued()
    {
        var created = await CreateAsync();
        var dispatcher = new WorkerGroupDispatcher(store);
        var findings = new[]
        {
            new Finding { AccountId = "111122223333", Region = "us-east-1", ResourceId = "sg-1", RuleId = "r" },
            new Finding { AccountId = "999999999999", Region = "us-east-1", ResourceId = "sg-2", RuleId = "r" },
        };

        var error = await Assert.ThrowsAsync<RemediationStoreException>(() => dispatcher.EnqueueAsync(created.Group, findings, CancellationToken.None));
        var ids = await dispatcher.EnqueueAsync(created.Group, findings.Take(1).ToList(), CancellationToken.None);

        Assert.Equal(StoreError.AccountNotInGroup, error.Error);
        Assert.Contains("'999999999999'", error.Message, StringComparison.Ordinal);
        Assert.Single(ids);
        Assert.Equal(1, (await store.CountAsync("prod", CancellationToken.None)).Waiting);
    }
}

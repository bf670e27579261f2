using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Findings;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Jobs.Iam;

namespace RemediationTools.Core.Tests.Jobs.Iam;

/// <summary>The two password policy jobs against the sandbox: every branch, and both in one batch in either order.</summary>
public sealed class AccountPasswordPolicySandboxTests : IDisposable
{
    private const string MinLengthJob = "aws-iam-password-policy-min-length";
    private const string ReuseJob = "aws-iam-password-reuse-prevention";
    private readonly SandboxServer server = SandboxEc2.StartForJobs();
    private readonly SandboxAccount account;
    private readonly AwsClientFactory factory;
    private readonly RemediationEngine engine;

    public AccountPasswordPolicySandboxTests()
    {
        account = SandboxEc2.JobAccount(server);
        factory = AwsClientFactory.CreateAsync(
            new AwsConnectionOptions { AccessKey = account.AccessKeyId, SecretKey = account.SecretAccessKey, Region = "us-east-1", EndpointUrl = server.Endpoint.ToString() },
            null,
            CancellationToken.None).GetAwaiter().GetResult();
        engine = new RemediationEngine(factory);
    }

    public void Dispose()
    {
        factory.Dispose();
        server.Dispose();
    }

    private Finding Finding(string jobId, string region = "us-east-1", string? resourceId = null, IReadOnlyDictionary<string, string>? tags = null) => new()
    {
        FindingId = "f-" + jobId + "-" + region,
        JobId = jobId,
        AccountId = account.AccountId,
        Region = region,
        ResourceId = resourceId ?? account.AccountId,
        Tags = tags ?? new Dictionary<string, string>(),
    };

    private async Task<IIamClient> IamAsync() => (await factory.ForAccountAsync(null, CancellationToken.None)).Iam();

    private async Task<PasswordPolicy?> PolicyAsync()
    {
        try
        {
            return (await (await IamAsync()).GetAccountPasswordPolicyAsync(new GetAccountPasswordPolicyRequest())).PasswordPolicy;
        }
        catch (Amazon.Runtime.AmazonServiceException ex) when (ex.ErrorCode == "NoSuchEntity")
        {
            return null;
        }
    }

    /// <summary>A policy with every setting away from its default.</summary>
    private async Task SeedFullPolicyAsync(int minimumLength = 8, int? reuse = 5) =>
        await (await IamAsync()).UpdateAccountPasswordPolicyAsync(new UpdateAccountPasswordPolicyRequest
        {
            MinimumPasswordLength = minimumLength,
            RequireSymbols = true,
            RequireNumbers = false,
            RequireUppercaseCharacters = true,
            RequireLowercaseCharacters = false,
            AllowUsersToChangePassword = true,
            MaxPasswordAge = 90,
            PasswordReusePrevention = reuse,
            HardExpiry = true,
        });

    private static void AssertOtherSettingsKept(PasswordPolicy policy)
    {
        Assert.True(policy.RequireSymbols);
        Assert.False(policy.RequireNumbers);
        Assert.True(policy.RequireUppercaseCharacters);
        Assert.False(policy.RequireLowercaseCharacters);
        Assert.True(policy.AllowUsersToChangePassword);
        Assert.Equal(90, policy.MaxPasswordAge);
        Assert.True(policy.HardExpiry);
    }

    [Fact]
    public async Task MinLength_ExistingPolicy_RaisesToFourteenKeepingEveryOtherSettingAndUndoes()
    {
        await SeedFullPolicyAsync();

        var result = await engine.RunAsync(Finding(MinLengthJob), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        var policy = (await PolicyAsync())!;
        Assert.Equal(14, policy.MinimumPasswordLength);
        Assert.Equal(5, policy.PasswordReusePrevention);
        AssertOtherSettingsKept(policy);
        var action = Assert.Single(result.Actions);
        Assert.Equal("iam:UpdateAccountPasswordPolicy", action.Operation);
        Assert.Contains("MinimumPasswordLength=8", action.Before, StringComparison.Ordinal);
        Assert.Contains("MinimumPasswordLength=14", action.After, StringComparison.Ordinal);

        Assert.Equal(RemediationStatus.AlreadyCompliant, (await engine.RunAsync(Finding(MinLengthJob), new RemediationOptions())).Status);

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());
        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        var restored = (await PolicyAsync())!;
        Assert.Equal(8, restored.MinimumPasswordLength);
        Assert.Equal(5, restored.PasswordReusePrevention);
        AssertOtherSettingsKept(restored);
    }

    [Fact]
    public async Task MinLength_LongerMinimum_NeverLowered()
    {
        await SeedFullPolicyAsync(minimumLength: 20);
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding(MinLengthJob), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(20, (await PolicyAsync())!.MinimumPasswordLength);
        Assert.False(server.CallCounts.ContainsKey("iam:UpdateAccountPasswordPolicy"));
    }

    [Fact]
    public async Task MinLength_MinimumLengthOption_RaisesToIt()
    {
        await SeedFullPolicyAsync(minimumLength: 14);

        var result = await engine.RunAsync(Finding(MinLengthJob), new RemediationOptions { MinimumPasswordLength = 16 });

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(16, (await PolicyAsync())!.MinimumPasswordLength);
    }

    [Fact]
    public async Task MinLength_NoPolicy_CreatesAFirstPolicyNeverWeakerThanTheImplicitOneAndUndoDeletesIt()
    {
        var result = await engine.RunAsync(Finding(MinLengthJob), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        var policy = (await PolicyAsync())!;
        Assert.Equal(14, policy.MinimumPasswordLength);
        Assert.True(policy.RequireSymbols && policy.RequireNumbers && policy.RequireUppercaseCharacters && policy.RequireLowercaseCharacters);
        Assert.False(policy.AllowUsersToChangePassword);
        Assert.Null(policy.MaxPasswordAge);
        Assert.Null(policy.PasswordReusePrevention);
        Assert.Contains(result.Notes, n => n.Contains("implicit", StringComparison.Ordinal) && n.Contains("all four character types", StringComparison.Ordinal));
        Assert.StartsWith("no password policy", Assert.Single(result.Actions).Before, StringComparison.Ordinal);

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());
        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        Assert.Equal("iam:DeleteAccountPasswordPolicy", Assert.Single(undo.Actions).Operation);
        Assert.Null(await PolicyAsync());
    }

    [Fact]
    public async Task Reuse_NoPolicy_FirstPolicyHasTheImplicitEightCharactersAndAllFourTypes()
    {
        var result = await engine.RunAsync(Finding(ReuseJob), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        var policy = (await PolicyAsync())!;
        Assert.Equal(24, policy.PasswordReusePrevention);
        Assert.Equal(8, policy.MinimumPasswordLength);
        Assert.True(policy.RequireSymbols && policy.RequireNumbers && policy.RequireUppercaseCharacters && policy.RequireLowercaseCharacters);
    }

    [Fact]
    public async Task Reuse_At24Already_Compliant()
    {
        await SeedFullPolicyAsync(reuse: 24);

        var result = await engine.RunAsync(Finding(ReuseJob), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
    }

    [Fact]
    public async Task Reuse_ExistingPolicy_RaisesKeepingEveryOtherSettingAndUndoes()
    {
        await SeedFullPolicyAsync(minimumLength: 12);

        var result = await engine.RunAsync(Finding(ReuseJob), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        var policy = (await PolicyAsync())!;
        Assert.Equal(24, policy.PasswordReusePrevention);
        Assert.Equal(12, policy.MinimumPasswordLength);
        AssertOtherSettingsKept(policy);

        Assert.Equal(RemediationStatus.Remediated, (await engine.UndoAsync(result.UndoRecord!, new RemediationOptions())).Status);
        Assert.Equal(5, (await PolicyAsync())!.PasswordReusePrevention);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public async Task BothJobs_OneBatchEitherOrderAnyRegion_BothHoldAtTheEnd(bool minLengthFirst, bool policyExists)
    {
        if (policyExists)
        {
            await SeedFullPolicyAsync();
        }

        // IAM is global: the two findings of one account name different regions and still serialise on one key.
        var minLength = Finding(MinLengthJob, "us-east-1");
        var reuse = Finding(ReuseJob, "eu-west-1");
        var findings = minLengthFirst ? new[] { minLength, reuse } : new[] { reuse, minLength };

        var results = await engine.RunAsync(findings, new RemediationOptions());

        Assert.All(results, r => Assert.Equal(RemediationStatus.Remediated, r.Status));
        var policy = (await PolicyAsync())!;
        Assert.Equal(14, policy.MinimumPasswordLength);
        Assert.Equal(24, policy.PasswordReusePrevention);
        if (policyExists)
        {
            AssertOtherSettingsKept(policy);
        }
        else
        {
            Assert.True(policy.RequireSymbols && policy.RequireNumbers && policy.RequireUppercaseCharacters && policy.RequireLowercaseCharacters);
        }

        var again = await engine.RunAsync(findings, new RemediationOptions());
        Assert.All(again, r => Assert.Equal(RemediationStatus.AlreadyCompliant, r.Status));
    }

    [Fact]
    public async Task BothJobs_FirstPolicyUndoneInReverseOrder_AccountHasNoPolicyAgain()
    {
        var first = await engine.RunAsync(Finding(MinLengthJob), new RemediationOptions());
        var second = await engine.RunAsync(Finding(ReuseJob), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, (await engine.UndoAsync(second.UndoRecord!, new RemediationOptions())).Status);
        Assert.Null((await PolicyAsync())!.PasswordReusePrevention);
        Assert.Equal(RemediationStatus.Remediated, (await engine.UndoAsync(first.UndoRecord!, new RemediationOptions())).Status);
        Assert.Null(await PolicyAsync());
    }

    [Fact]
    public async Task MinLength_FirstPolicyChangedSince_UndoPutsOnlyItsSettingBack()
    {
        var first = await engine.RunAsync(Finding(MinLengthJob), new RemediationOptions());
        await engine.RunAsync(Finding(ReuseJob), new RemediationOptions());

        var undo = await engine.UndoAsync(first.UndoRecord!, new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        var policy = (await PolicyAsync())!;
        Assert.Equal(8, policy.MinimumPasswordLength);
        Assert.Equal(24, policy.PasswordReusePrevention);
    }

    [Fact]
    public async Task MinLength_FindingTaggedSkip_SkippedAndUnchanged()
    {
        // An account password policy has no tags in IAM: only the finding's own tags can exempt it.
        var result = await engine.RunAsync(Finding(MinLengthJob, tags: new Dictionary<string, string> { ["remediation:skip"] = "true" }), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Null(await PolicyAsync());
    }

    [Fact]
    public async Task MinLength_SecurityHubAccountResourceId_Remediated()
    {
        var result = await engine.RunAsync(Finding(MinLengthJob, resourceId: "AWS::::Account:" + account.AccountId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(14, (await PolicyAsync())!.MinimumPasswordLength);
    }

    [Theory]
    [InlineData("not-an-account", "InvalidFinding")]
    [InlineData("210987654321", "AccountMismatch")]
    public async Task MinLength_ObjectIdNotTheFindingsAccount_FailedNamingIt(string objectId, string errorCode)
    {
        var result = await engine.RunAsync(Finding(MinLengthJob, resourceId: objectId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(errorCode, result.ErrorCode);
        Assert.Contains(objectId, result.Reason, StringComparison.Ordinal);
        Assert.Null(await PolicyAsync());
    }

    [Fact]
    public async Task UpdateAccountPasswordPolicy_OmittedParameters_ResetToDefaults()
    {
        await SeedFullPolicyAsync();

        await (await IamAsync()).UpdateAccountPasswordPolicyAsync(new UpdateAccountPasswordPolicyRequest { MinimumPasswordLength = 10 });

        var policy = (await PolicyAsync())!;
        Assert.Equal(10, policy.MinimumPasswordLength);
        Assert.False(policy.RequireSymbols || policy.AllowUsersToChangePassword || policy.ExpirePasswords);
        Assert.Null(policy.PasswordReusePrevention);
        Assert.Null(policy.MaxPasswordAge);
    }

    [Theory]
    [InlineData(5, null, "minimumPasswordLength")]
    [InlineData(129, null, "minimumPasswordLength")]
    [InlineData(8, 25, "passwordReusePrevention")]
    public async Task UpdateAccountPasswordPolicy_OutOfRange_ValidationErrorNamingTheMember(int length, int? reuse, string member)
    {
        var ex = await Assert.ThrowsAnyAsync<Amazon.Runtime.AmazonServiceException>(() => IamAsync().Result.UpdateAccountPasswordPolicyAsync(
            new UpdateAccountPasswordPolicyRequest { MinimumPasswordLength = length, PasswordReusePrevention = reuse }));

        Assert.Equal("ValidationError", ex.ErrorCode);
        Assert.Contains(member, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(129)]
    public void Options_MinimumLengthOutsideIamRange_ThrowsNamingTheValue(int value)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new RemediationOptions { MinimumPasswordLength = value });

        Assert.Contains(value.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ReusePreventionOutsideIamRange_ThrowsNamingTheValue()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new RemediationOptions { PasswordReusePrevention = 25 });

        Assert.Contains("25", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scope_IamKeys_AreTheSameInEveryRegion()
    {
        var key = ResourceKeys.AccountPasswordPolicy(account.AccountId);

        Assert.Equal(ResourceLockTable.Scope(account.AccountId, "us-east-1", key), ResourceLockTable.Scope(account.AccountId, "eu-west-1", key));
        Assert.NotEqual(ResourceLockTable.Scope(account.AccountId, "us-east-1", ResourceKeys.Volume("vol-1")), ResourceLockTable.Scope(account.AccountId, "eu-west-1", ResourceKeys.Volume("vol-1")));
    }

    [Theory]
    [InlineData("IAM.15", MinLengthJob)]
    [InlineData("IAM.16", ReuseJob)]
    [InlineData("IAM.4", "aws-iam-root-user-disable-access-keys")]
    public void SecurityHub_AccountControls_MapToTheJobsWithTheAccount(string control, string jobId)
    {
        var finding = FindingParser.Parse(Asff(control, "AwsAccount", "AWS::::Account:123456789012"));

        Assert.Equal(jobId, finding.JobId);
        Assert.Equal("123456789012", IamAccountTarget.Resolve(finding));
    }

    [Fact]
    public void SecurityHub_Iam26_MapsToTheCertificateJobWithTheName()
    {
        var finding = FindingParser.Parse(Asff("IAM.26", "AwsIamServerCertificate", "arn:aws:iam::123456789012:server-certificate/web/old-web"));

        Assert.Equal("aws-iam-server-certificate-expired", finding.JobId);
        Assert.Equal("old-web", ServerCertificateExpiredJob.CertificateName(finding));
    }

    internal static string Asff(string control, string resourceType, string resourceId) =>
        "{\"SchemaVersion\":\"2018-10-08\",\"Id\":\"arn:aws:securityhub:us-east-1:123456789012:security-control/" + control + "/finding/abc\"," +
        "\"ProductArn\":\"arn:aws:securityhub:us-east-1::product/aws/securityhub\",\"GeneratorId\":\"security-control/" + control + "\"," +
        "\"AwsAccountId\":\"123456789012\",\"Region\":\"us-east-1\",\"Title\":\"" + control + "\"," +
        "\"Severity\":{\"Label\":\"MEDIUM\"},\"Compliance\":{\"Status\":\"FAILED\",\"SecurityControlId\":\"" + control + "\"}," +
        "\"Resources\":[{\"Type\":\"" + resourceType + "\",\"Id\":\"" + resourceId + "\",\"Partition\":\"aws\",\"Region\":\"us-east-1\"}]}";
}

namespace RemediationTools.Core.Tests.Sandbox;

public sealed class SandboxIamTests : IDisposable
{
    private readonly SandboxHarness _sandbox = new();
    private readonly IamQueryClient _iam;

    public SandboxIamTests() => _iam = _sandbox.Iam(_sandbox.Admin);

    public void Dispose() => _sandbox.Dispose();

    private Task<IamQueryClient.Result> CreateRoleAsync(string name) => _iam.CallAsync("CreateRole", new()
    {
        ["RoleName"] = name,
        ["Path"] = "/remediation/",
        ["Description"] = "test role",
        ["MaxSessionDuration"] = "7200",
        ["AssumeRolePolicyDocument"] = SandboxHarness.TrustPolicy(_sandbox.AccountId),
        ["Tags.member.1.Key"] = "owner",
        ["Tags.member.1.Value"] = "secops",
    });

    [Fact]
    public async Task CreateRole_ThenGetRole_ReturnsRoleWithEncodedTrustPolicyAndTags()
    {
        var created = await CreateRoleAsync("Remediator");
        var fetched = await _iam.CallAsync("GetRole", new() { ["RoleName"] = "Remediator" });

        Assert.Equal(200, created.Status);
        Assert.Equal(200, fetched.Status);
        Assert.Equal($"arn:aws:iam::{_sandbox.AccountId}:role/remediation/Remediator", fetched.Value("Arn"));
        Assert.StartsWith("AROA", fetched.Value("RoleId"), StringComparison.Ordinal);
        Assert.Equal("7200", fetched.Value("MaxSessionDuration"));
        Assert.Equal(Uri.EscapeDataString(SandboxHarness.TrustPolicy(_sandbox.AccountId)), fetched.Value("AssumeRolePolicyDocument"));
        Assert.Equal("secops", fetched.Value("Value"));
        Assert.Equal("CreateRoleResponse", created.Body.Root!.Name.LocalName);
        Assert.Equal(IamQueryClient.Ns, created.Body.Root.Name.Namespace);
    }

    [Fact]
    public async Task CreateRole_SameNameTwice_EntityAlreadyExists()
    {
        await CreateRoleAsync("Remediator");

        var second = await CreateRoleAsync("remediator");

        Assert.Equal(409, second.Status);
        Assert.Equal("EntityAlreadyExists", second.ErrorCode);
    }

    [Fact]
    public async Task GetRole_Missing_NoSuchEntity()
    {
        var result = await _iam.CallAsync("GetRole", new() { ["RoleName"] = "Nope" });

        Assert.Equal(404, result.Status);
        Assert.Equal("NoSuchEntity", result.ErrorCode);
    }

    [Fact]
    public async Task CreateRole_InvalidName_ValidationError()
    {
        var result = await _iam.CallAsync("CreateRole", new() { ["RoleName"] = "bad name!", ["AssumeRolePolicyDocument"] = SandboxHarness.TrustPolicy(_sandbox.AccountId) });

        Assert.Equal(400, result.Status);
        Assert.Equal("ValidationError", result.ErrorCode);
    }

    [Fact]
    public async Task CreateRole_TrustNamesMissingRole_MalformedPolicyDocumentInvalidPrincipal()
    {
        var missing = $"arn:aws:iam::{_sandbox.AccountId}:role/NotYetCreated";

        var refused = await _iam.CallAsync("CreateRole", new() { ["RoleName"] = "Trusting", ["AssumeRolePolicyDocument"] = SandboxHarness.TrustPolicy(missing) });
        await _iam.CallAsync("CreateRole", new() { ["RoleName"] = "NotYetCreated", ["AssumeRolePolicyDocument"] = SandboxHarness.TrustPolicy(_sandbox.AccountId) });
        var accepted = await _iam.CallAsync("CreateRole", new() { ["RoleName"] = "Trusting", ["AssumeRolePolicyDocument"] = SandboxHarness.TrustPolicy(missing) });

        Assert.Equal(400, refused.Status);
        Assert.Equal("MalformedPolicyDocument", refused.ErrorCode);
        Assert.Equal($"Invalid principal in policy: \"AWS\":\"{missing}\"", refused.ErrorMessage);
        Assert.Equal(200, accepted.Status);
    }

    [Fact]
    public async Task UpdateAssumeRolePolicy_TrustNamesMissingUser_MalformedPolicyDocumentAndTrustKept()
    {
        await CreateRoleAsync("Remediator");
        var before = await _iam.CallAsync("GetRole", new() { ["RoleName"] = "Remediator" });

        var refused = await _iam.CallAsync("UpdateAssumeRolePolicy", new() { ["RoleName"] = "Remediator", ["PolicyDocument"] = SandboxHarness.TrustPolicy($"arn:aws:iam::{_sandbox.AccountId}:user/nobody") });
        var after = await _iam.CallAsync("GetRole", new() { ["RoleName"] = "Remediator" });

        Assert.Equal("MalformedPolicyDocument", refused.ErrorCode);
        Assert.StartsWith("Invalid principal in policy", refused.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(before.Value("AssumeRolePolicyDocument"), after.Value("AssumeRolePolicyDocument"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"Version\":\"2012-10-17\"}")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:*\"}]}")]
    public async Task PutRolePolicy_MalformedDocument_MalformedPolicyDocument(string document)
    {
        await CreateRoleAsync("Remediator");

        var result = await _iam.CallAsync("PutRolePolicy", new() { ["RoleName"] = "Remediator", ["PolicyName"] = "p", ["PolicyDocument"] = document });

        Assert.Equal(400, result.Status);
        Assert.Equal("MalformedPolicyDocument", result.ErrorCode);
    }

    [Fact]
    public async Task PutRolePolicy_RoundTrip_ListGetDelete()
    {
        await CreateRoleAsync("Remediator");
        var policy = SandboxHarness.AllowPolicy("ec2:DescribeSecurityGroups");

        var put = await _iam.CallAsync("PutRolePolicy", new() { ["RoleName"] = "Remediator", ["PolicyName"] = "ec2", ["PolicyDocument"] = policy });
        var list = await _iam.CallAsync("ListRolePolicies", new() { ["RoleName"] = "Remediator" });
        var get = await _iam.CallAsync("GetRolePolicy", new() { ["RoleName"] = "Remediator", ["PolicyName"] = "ec2" });
        var delete = await _iam.CallAsync("DeleteRolePolicy", new() { ["RoleName"] = "Remediator", ["PolicyName"] = "ec2" });
        var getAgain = await _iam.CallAsync("GetRolePolicy", new() { ["RoleName"] = "Remediator", ["PolicyName"] = "ec2" });

        Assert.Equal(200, put.Status);
        Assert.Equal("ec2", list.Value("member"));
        Assert.Equal("false", list.Value("IsTruncated"));
        Assert.Equal(Uri.EscapeDataString(policy), get.Value("PolicyDocument"));
        Assert.Equal(200, delete.Status);
        Assert.Equal("NoSuchEntity", getAgain.ErrorCode);
    }

    [Fact]
    public async Task PutRolePolicy_TotalOverLimit_LimitExceededButReplacementNotDoubleCounted()
    {
        await CreateRoleAsync("Remediator");
        string Policy(int actions) => SandboxHarness.AllowPolicy(Enumerable.Range(0, actions).Select(i => $"ec2:DescribeThing{i:D4}").ToArray());
        Task<IamQueryClient.Result> PutAsync(string name, string document) =>
            _iam.CallAsync("PutRolePolicy", new() { ["RoleName"] = "Remediator", ["PolicyName"] = name, ["PolicyDocument"] = document });

        var putA = await PutAsync("a", Policy(220));
        var putB = await PutAsync("b", Policy(150));
        var replaceA = await PutAsync("a", Policy(240));
        var putC = await PutAsync("c", Policy(60));

        Assert.InRange(Policy(220).Length + Policy(150).Length, 9_000, 10_240);
        Assert.True(Policy(240).Length + Policy(150).Length + Policy(60).Length > 10_240);
        Assert.Equal(200, putA.Status);
        Assert.Equal(200, putB.Status);
        Assert.Equal(200, replaceA.Status);
        Assert.Equal(409, putC.Status);
        Assert.Equal("LimitExceeded", putC.ErrorCode);
    }

    [Fact]
    public async Task PutRolePolicy_WhitespaceNotCounted_Accepted()
    {
        await CreateRoleAsync("Remediator");
        var padded = SandboxHarness.AllowPolicy("ec2:DescribeSecurityGroups").Replace(",", ",\n" + new string(' ', 4000), StringComparison.Ordinal);

        var result = await _iam.CallAsync("PutRolePolicy", new() { ["RoleName"] = "Remediator", ["PolicyName"] = "a", ["PolicyDocument"] = padded });

        Assert.True(padded.Length > 10_240);
        Assert.Equal(200, result.Status);
    }

    [Fact]
    public async Task DeleteRole_WithInlinePolicyOrInstanceProfile_DeleteConflictUntilRemoved()
    {
        await CreateRoleAsync("Remediator");
        await _iam.CallAsync("PutRolePolicy", new() { ["RoleName"] = "Remediator", ["PolicyName"] = "p", ["PolicyDocument"] = SandboxHarness.AllowPolicy("ec2:*") });
        await _iam.CallAsync("CreateInstanceProfile", new() { ["InstanceProfileName"] = "RemediatorProfile" });
        var add = await _iam.CallAsync("AddRoleToInstanceProfile", new() { ["InstanceProfileName"] = "RemediatorProfile", ["RoleName"] = "Remediator" });

        var withPolicy = await _iam.CallAsync("DeleteRole", new() { ["RoleName"] = "Remediator" });
        await _iam.CallAsync("DeleteRolePolicy", new() { ["RoleName"] = "Remediator", ["PolicyName"] = "p" });
        var withProfile = await _iam.CallAsync("DeleteRole", new() { ["RoleName"] = "Remediator" });
        var profiles = await _iam.CallAsync("ListInstanceProfilesForRole", new() { ["RoleName"] = "Remediator" });
        await _iam.CallAsync("RemoveRoleFromInstanceProfile", new() { ["InstanceProfileName"] = "RemediatorProfile", ["RoleName"] = "Remediator" });
        var deleted = await _iam.CallAsync("DeleteRole", new() { ["RoleName"] = "Remediator" });

        Assert.Equal(200, add.Status);
        Assert.Equal(409, withPolicy.Status);
        Assert.Equal("DeleteConflict", withPolicy.ErrorCode);
        Assert.Equal("DeleteConflict", withProfile.ErrorCode);
        Assert.Equal("RemediatorProfile", profiles.Value("InstanceProfileName"));
        Assert.Equal(200, deleted.Status);
    }

    [Fact]
    public async Task TagRole_UntagRole_ListRoleTagsReflectsChanges()
    {
        await CreateRoleAsync("Remediator");

        await _iam.CallAsync("TagRole", new() { ["RoleName"] = "Remediator", ["Tags.member.1.Key"] = "env", ["Tags.member.1.Value"] = "prod" });
        await _iam.CallAsync("UntagRole", new() { ["RoleName"] = "Remediator", ["TagKeys.member.1"] = "owner" });
        var tags = await _iam.CallAsync("ListRoleTags", new() { ["RoleName"] = "Remediator" });

        var keys = tags.Body.Descendants(IamQueryClient.Ns + "Key").Select(k => k.Value).ToList();
        Assert.Equal(["env"], keys);
    }

    [Fact]
    public async Task UpdateAssumeRolePolicy_ChangesTrust_AssumeRoleFollows()
    {
        await CreateRoleAsync("Remediator");

        var update = await _iam.CallAsync("UpdateAssumeRolePolicy", new() { ["RoleName"] = "Remediator", ["PolicyDocument"] = SandboxHarness.TrustPolicy(_sandbox.AccountId, "new-ext") });
        var role = await _iam.CallAsync("GetRole", new() { ["RoleName"] = "Remediator" });

        Assert.Equal(200, update.Status);
        Assert.Contains("new-ext", Uri.UnescapeDataString(role.Value("AssumeRolePolicyDocument")!), StringComparison.Ordinal);
    }
}

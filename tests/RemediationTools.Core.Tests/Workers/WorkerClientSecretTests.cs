using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Tests.Sandbox;
using RemediationTools.Core.Tests.Stores;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Tests.Workers;

/// <summary>The worker's client secret from exactly one of a value, a file or an SSM SecureString (against the sandbox).</summary>
public sealed class WorkerClientSecretTests
{
    private const string Secret = "s3cr3t-Value_0123456789abcdefghijklmnopqrstu";
    private const string Region = "us-east-1";

    private static Func<string, string?> Variables(params (string Name, string Value)[] values)
        => name => values.Where(v => v.Name == name).Select(v => v.Value).FirstOrDefault();

    [Fact]
    public void FromEnvironment_NoneSet_ErrorNamesAllThree()
    {
        var ex = Assert.Throws<ArgumentException>(() => WorkerClientSecret.FromEnvironment(Variables()));

        Assert.Contains("REMEDIATION_CLIENT_SECRET_FILE", ex.Message, StringComparison.Ordinal);
        Assert.Contains("REMEDIATION_CLIENT_SECRET_PARAMETER", ex.Message, StringComparison.Ordinal);
        Assert.Contains("REMEDIATION_CLIENT_SECRET,", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_TwoSet_ErrorNamesBothAndNotTheValue()
    {
        var ex = Assert.Throws<ArgumentException>(() => WorkerClientSecret.FromEnvironment(Variables(
            ("REMEDIATION_CLIENT_SECRET", Secret), ("REMEDIATION_CLIENT_SECRET_FILE", "/run/secrets/x"))));

        Assert.Contains("REMEDIATION_CLIENT_SECRET and REMEDIATION_CLIENT_SECRET_FILE", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("REMEDIATION_CLIENT_SECRET", "Value")]
    [InlineData("REMEDIATION_CLIENT_SECRET_FILE", "File")]
    [InlineData("REMEDIATION_CLIENT_SECRET_PARAMETER", "Parameter")]
    public void FromEnvironment_OneSet_ThatSource(string variable, string originName)
    {
        var origin = Enum.Parse<ClientSecretOrigin>(originName);
        var source = WorkerClientSecret.FromEnvironment(Variables((variable, " value\n"), ("REMEDIATION_CLIENT_SECRET_PARAMETER", origin == ClientSecretOrigin.Parameter ? " value\n" : " ")));

        Assert.Equal(origin, source.Origin);
        Assert.Equal("value", source.Value);
        Assert.Equal(variable, source.GivenAs);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("")]
    public void ReadFile_SecretWithTrailingNewline_NewlineTrimmed(string ending)
    {
        using var folder = new StoreTestFolder();
        var path = Path.Combine(folder.Path, "secret");
        File.WriteAllText(path, Secret + ending);

        Assert.Equal(Secret, WorkerClientSecret.ReadFile(WorkerClientSecret.FileVariable, path));
    }

    [Fact]
    public void ReadFile_Missing_ErrorNamesVariableAndPath()
    {
        using var folder = new StoreTestFolder();
        var path = Path.Combine(folder.Path, "absent");

        var ex = Assert.Throws<ArgumentException>(() => WorkerClientSecret.ReadFile(WorkerClientSecret.FileVariable, path));

        Assert.Contains(WorkerClientSecret.FileVariable, ex.Message, StringComparison.Ordinal);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    public void ReadFile_Empty_ErrorNamesPath(string content)
    {
        using var folder = new StoreTestFolder();
        var path = Path.Combine(folder.Path, "empty");
        File.WriteAllText(path, content);

        var ex = Assert.Throws<ArgumentException>(() => WorkerClientSecret.ReadFile(WorkerClientSecret.FileVariable, path));

        Assert.Contains(path + "', which is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_Folder_ErrorNamesPath()
    {
        using var folder = new StoreTestFolder();

        var ex = Assert.Throws<ArgumentException>(() => WorkerClientSecret.ReadFile("-ClientSecretFile", folder.Path));

        Assert.StartsWith("-ClientSecretFile names '" + folder.Path + "'", ex.Message, StringComparison.Ordinal);
    }

    [UnixOnlyFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void WriteFile_NewFolderAndFile_OwnerOnlyAndReadBack()
    {
        using var folder = new StoreTestFolder();
        var path = Path.Combine(folder.Path, "secrets", "deeper", "prod.secret");

        WorkerClientSecret.WriteFile(path, Secret);
        WorkerClientSecret.WriteFile(path, Secret + "2");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(folder.Path, "secrets")));
        Assert.Equal(Secret + "2", WorkerClientSecret.ReadFile(WorkerClientSecret.FileVariable, path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public async Task ReadParameter_SecureStringWithAwsManagedKey_Decrypted()
    {
        using var ssm = await SsmSandbox.StartAsync();
        ssm.Server.PutParameter(ssm.Account.AccountId, Region, "/remediation/prod/client-secret", Secret);

        var value = await WorkerClientSecret.ReadParameterAsync(WorkerClientSecret.ParameterVariable, "/remediation/prod/client-secret", ssm.Connection(ssm.Worker), null, CancellationToken.None);

        Assert.Equal(Secret, value);
        Assert.Equal(1, ssm.Server.CallCounts["ssm:GetParameter"]);
    }

    [Fact]
    public async Task ReadParameter_ByArn_Decrypted()
    {
        using var ssm = await SsmSandbox.StartAsync();
        var arn = ssm.Server.PutParameter(ssm.Account.AccountId, Region, "prod-secret", Secret);

        Assert.Equal("arn:aws:ssm:us-east-1:" + ssm.Account.AccountId + ":parameter/prod-secret", arn);
        Assert.Equal(Secret, await WorkerClientSecret.ReadParameterAsync("-ClientSecretParameter", arn, ssm.Connection(ssm.Worker), null, CancellationToken.None));
    }

    [Fact]
    public async Task ReadParameter_Missing_ErrorNamesVariableParameterAndRegion()
    {
        using var ssm = await SsmSandbox.StartAsync();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => WorkerClientSecret.ReadParameterAsync(WorkerClientSecret.ParameterVariable, "/absent", ssm.Connection(ssm.Worker), null, CancellationToken.None));

        Assert.Equal("REMEDIATION_CLIENT_SECRET_PARAMETER names the SSM parameter '/absent', which does not exist in us-east-1.", ex.Message);
        Assert.IsType<ParameterNotFoundException>(ex.InnerException);
    }

    [Fact]
    public async Task ReadParameter_PlainString_RefusedAsNotSecureString()
    {
        using var ssm = await SsmSandbox.StartAsync();
        ssm.Server.PutParameter(ssm.Account.AccountId, Region, "/plain", Secret, "String");

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => WorkerClientSecret.ReadParameterAsync(WorkerClientSecret.ParameterVariable, "/plain", ssm.Connection(ssm.Worker), null, CancellationToken.None));

        Assert.Contains("which is a String, not a SecureString", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadParameter_CustomerKeyWithoutKmsDecrypt_AccessDeniedNamingKmsDecrypt()
    {
        using var ssm = await SsmSandbox.StartAsync();
        ssm.Server.PutParameter(ssm.Account.AccountId, Region, "/cmk", Secret, keyId: "1234abcd-12ab-34cd-56ef-1234567890ab");

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => WorkerClientSecret.ReadParameterAsync(WorkerClientSecret.ParameterVariable, "/cmk", ssm.Connection(ssm.Worker), null, CancellationToken.None));

        Assert.Contains("AccessDeniedException", ex.Message, StringComparison.Ordinal);
        Assert.Contains("kms:Decrypt on resource: arn:aws:kms:us-east-1:" + ssm.Account.AccountId + ":key/1234abcd-12ab-34cd-56ef-1234567890ab", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadParameter_CustomerKeyWithKmsDecrypt_Decrypted()
    {
        using var ssm = await SsmSandbox.StartAsync();
        ssm.Server.PutParameter(ssm.Account.AccountId, Region, "/cmk", Secret, keyId: "1234abcd-12ab-34cd-56ef-1234567890ab");

        Assert.Equal(Secret, await WorkerClientSecret.ReadParameterAsync(WorkerClientSecret.ParameterVariable, "/cmk", ssm.Connection(ssm.Admin), null, CancellationToken.None));
    }

    [Fact]
    public async Task ReadParameter_CallerWithoutSsmGetParameter_AccessDeniedEvenForAMissingParameter()
    {
        using var ssm = await SsmSandbox.StartAsync();
        var nobody = ssm.Server.CreateUser(ssm.Account.AccountId, "nobody", SandboxHarness.AllowPolicy("ec2:DescribeSecurityGroups"));

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => WorkerClientSecret.ReadParameterAsync(WorkerClientSecret.ParameterVariable, "/absent", ssm.Connection(nobody), null, CancellationToken.None));

        Assert.Contains("AccessDeniedException", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ssm:GetParameter on resource: arn:aws:ssm:us-east-1:" + ssm.Account.AccountId + ":parameter/absent", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sandbox_GetParameterWithoutDecryption_ReturnsCiphertextNotTheValue()
    {
        using var ssm = await SsmSandbox.StartAsync();
        ssm.Server.PutParameter(ssm.Account.AccountId, Region, "/remediation/prod", Secret);
        using var client = new AmazonSimpleSystemsManagementClient(
            new BasicAWSCredentials(ssm.Worker.AccessKeyId, ssm.Worker.SecretAccessKey),
            new AmazonSimpleSystemsManagementConfig { ServiceURL = ssm.Server.Endpoint.ToString(), AuthenticationRegion = Region, MaxErrorRetry = 0 });

        var encrypted = await client.GetParameterAsync(new GetParameterRequest { Name = "/remediation/prod" });
        var decrypted = await client.GetParameterAsync(new GetParameterRequest { Name = "/remediation/prod", WithDecryption = true });

        Assert.Equal(ParameterType.SecureString, encrypted.Parameter.Type);
        Assert.NotEqual(Secret, encrypted.Parameter.Value);
        Assert.DoesNotContain(Secret, encrypted.Parameter.Value, StringComparison.Ordinal);
        Assert.Equal(Secret, decrypted.Parameter.Value);
        Assert.Equal("arn:aws:ssm:us-east-1:" + ssm.Account.AccountId + ":parameter/remediation/prod", decrypted.Parameter.ARN);
        Assert.Equal(1, decrypted.Parameter.Version);
    }

    /// <summary>A sandbox with one account: a worker user allowed only ssm:GetParameter, and an admin allowed everything.</summary>
    private sealed class SsmSandbox : IDisposable
    {
        private SsmSandbox(SandboxServer server, SandboxAccount account, SandboxAccount worker, SandboxAccount admin)
        {
            Server = server;
            Account = account;
            Worker = worker;
            Admin = admin;
        }

        public SandboxServer Server { get; }

        public SandboxAccount Account { get; }

        public SandboxAccount Worker { get; }

        public SandboxAccount Admin { get; }

        public static Task<SsmSandbox> StartAsync()
        {
            var server = SandboxServer.Start();
            var account = server.CreateAccount();
            var worker = server.CreateUser(account.AccountId, "worker", SandboxHarness.AllowPolicy("ssm:GetParameter"));
            var admin = server.CreateUser(account.AccountId, "admin");
            return Task.FromResult(new SsmSandbox(server, account, worker, admin));
        }

        public AwsConnectionOptions Connection(SandboxAccount caller) => new()
        {
            AccessKey = caller.AccessKeyId,
            SecretKey = caller.SecretAccessKey,
            Region = Region,
            EndpointUrl = Server.Endpoint.ToString(),
            MaxErrorRetry = 0,
        };

        public void Dispose() => Server.Dispose();
    }
}

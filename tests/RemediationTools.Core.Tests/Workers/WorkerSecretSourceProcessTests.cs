using System.Globalization;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Tests.Stores;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Tests.Workers;

/// <summary>
/// A <c>remediation-worker</c> process that takes its client secret from a file or an SSM SecureString joins its group
/// and fixes a finding, and the secret is in none of its environment (<c>/proc/&lt;pid&gt;/environ</c>), its log or the
/// store's files. Linux only (/proc).
/// </summary>
public sealed class WorkerSecretSourceProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);

    private static Dictionary<string, string?> Environment(WorkerSandbox sandbox, string healthFile) => sandbox.ProcessEnvironment(healthFile, "30");

    private static async Task RunAndCheckAsync(WorkerSandbox sandbox, Dictionary<string, string?> environment)
    {
        var groups = await sandbox.OpenGroupsAsync(2);
        var dispatcher = new WorkerGroupDispatcher(sandbox.Store) { PollInterval = TimeSpan.FromMilliseconds(100) };
        var ids = await dispatcher.EnqueueAsync(sandbox.Group.Group, groups.Select(g => sandbox.Finding(g)).ToList());
        var secret = sandbox.Secret;

        using var worker = WorkerProcess.Start(environment);
        await worker.WaitForLineAsync("started worker ", Timeout);
        var environ = await File.ReadAllBytesAsync("/proc/" + worker.Id.ToString(CultureInfo.InvariantCulture) + "/environ");
        var runs = await dispatcher.WaitAsync(WorkerSandbox.GroupName, ids, null, Timeout);
        worker.Terminate();
        Assert.Equal(0, await worker.WaitForExitAsync(Timeout));

        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal(RemediationStatus.Remediated, r.Result!.Status));
        Assert.Equal((0, 0), await sandbox.CheckGroupsAsync(groups));
        Assert.Contains("REMEDIATION_CLIENT_ID=", System.Text.Encoding.UTF8.GetString(environ), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, System.Text.Encoding.UTF8.GetString(environ), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, worker.Output, StringComparison.Ordinal);
        Assert.Empty(sandbox.Folder.FilesContaining(secret));
    }

    [LinuxOnlyFact]
    public async Task SecretFile_WorkerJoinsAndWorks_SecretInNoEnvironmentLogOrStoreFile()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        using var secrets = new StoreTestFolder();
        var file = Path.Combine(secrets.Path, "prod.secret");
        WorkerClientSecret.WriteFile(file, sandbox.Secret);
        var environment = Environment(sandbox, Path.Combine(secrets.Path, "health"));
        environment[WorkerClientSecret.FileVariable] = file;

        await RunAndCheckAsync(sandbox, environment);
    }

    [LinuxOnlyFact]
    public async Task SecretParameter_WorkerReadsSecureStringWithItsOwnCredentials_SecretInNoEnvironmentLogOrStoreFile()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        using var health = new StoreTestFolder();
        sandbox.Server.PutParameter(sandbox.Hosting.AccountId, WorkerSandbox.Region, "/remediation/prod/client-secret", sandbox.Secret);
        var environment = Environment(sandbox, Path.Combine(health.Path, "health"));
        environment[WorkerClientSecret.ParameterVariable] = "/remediation/prod/client-secret";

        await RunAndCheckAsync(sandbox, environment);
        Assert.Equal(1, sandbox.Calls("ssm:GetParameter"));
    }

    [LinuxOnlyFact]
    public async Task MissingSecretFile_ExitsWithConfigurationErrorNamingVariableAndPath()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        using var secrets = new StoreTestFolder();
        var environment = Environment(sandbox, Path.Combine(secrets.Path, "health"));
        environment[WorkerClientSecret.FileVariable] = Path.Combine(secrets.Path, "absent.secret");

        using var worker = WorkerProcess.Start(environment);

        Assert.Equal(2, await worker.WaitForExitAsync(Timeout));
        Assert.Contains("REMEDIATION_CLIENT_SECRET_FILE names '" + Path.Combine(secrets.Path, "absent.secret") + "', which does not exist", worker.Output, StringComparison.Ordinal);
    }

    [LinuxOnlyFact]
    public async Task TwoSecretSources_ExitsWithConfigurationErrorNamingBoth()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        using var secrets = new StoreTestFolder();
        var environment = Environment(sandbox, Path.Combine(secrets.Path, "health"));
        environment[WorkerGroupService.ClientSecretVariable] = sandbox.Secret;
        environment[WorkerClientSecret.ParameterVariable] = "/remediation/prod/client-secret";

        using var worker = WorkerProcess.Start(environment);

        Assert.Equal(2, await worker.WaitForExitAsync(Timeout));
        Assert.Contains("REMEDIATION_CLIENT_SECRET and REMEDIATION_CLIENT_SECRET_PARAMETER are both set", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(sandbox.Secret, worker.Output, StringComparison.Ordinal);
        Assert.Equal(0, sandbox.Calls("ssm:GetParameter"));
    }
}

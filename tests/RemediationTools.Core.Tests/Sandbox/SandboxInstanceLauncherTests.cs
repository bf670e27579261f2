using System.Globalization;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using RemediationTools.AwsSandbox;
using static RemediationTools.Core.Tests.Sandbox.SandboxLaunchHelpers;

namespace RemediationTools.Core.Tests.Sandbox;

public sealed class SandboxInstanceLauncherTests : IDisposable
{
    /// <summary>Records its environment and user data file, then runs a child that only a stop of the whole tree ends.</summary>
    private const string Script =
        "out=\"$1/$SANDBOX_INSTANCE_ID\"; "
        + "echo \"$SANDBOX_INSTANCE_ID|$SANDBOX_ACCOUNT_ID|$SANDBOX_REGION|$SANDBOX_ENDPOINT|$AWS_EC2_METADATA_SERVICE_ENDPOINT|$SANDBOX_USER_DATA_FILE\" >> \"$out.env\"; "
        + "stat -c %a \"$SANDBOX_USER_DATA_FILE\" > \"$out.mode\"; cat \"$SANDBOX_USER_DATA_FILE\" > \"$out.userdata\"; "
        + "echo started-on-stdout; echo started-on-stderr >&2; "
        + "sleep 600 & echo $! > \"$out.child\"; wait";

    private readonly SandboxHarness _sandbox = new();
    private readonly AmazonEC2Client _ec2;
    private readonly string _directory = Directory.CreateTempSubdirectory("launcher-test-").FullName;

    public SandboxInstanceLauncherTests() => _ec2 = _sandbox.Ec2();

    public void Dispose()
    {
        _ec2.Dispose();
        _sandbox.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<List<string>> LaunchAsync(int count, string userData)
    {
        var response = await _ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = await Al2023ImageIdAsync(_ec2),
            InstanceType = "t3.micro",
            MinCount = count,
            MaxCount = count,
            UserData = Convert.ToBase64String(Encoding.UTF8.GetBytes(userData)),
        });
        return response.Reservation.Instances.Select(i => i.InstanceId).ToList();
    }

    private string Out(string instanceId, string suffix) => Path.Combine(_directory, instanceId + "." + suffix);

    private static bool IsGone(int pid)
    {
        var stat = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat";
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<int> ChildPidAsync(string instanceId)
    {
        var file = Out(instanceId, "child");
        await WaitUntilAsync(() => File.Exists(file) && File.ReadAllText(file).Trim().Length > 0, "the instance process started its child");
        return int.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture);
    }

    [LinuxFact]
    public async Task Launcher_RunningInstance_StartsCommandOnceWithItsEnvironmentAndTerminateStopsTheTree()
    {
        _sandbox.Server.InstanceLauncher = new SandboxInstanceLauncher("/bin/sh", ["-c", Script, "sh", _directory]);
        var ids = await LaunchAsync(2, "#!/bin/bash\necho user-data\n");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var id in ids)
        {
            await _sandbox.Server.WaitForInstanceProcessStartAsync(id, timeout.Token);
        }

        var first = ids[0];
        var child = await ChildPidAsync(first);
        await ChildPidAsync(ids[1]);
        var running = _sandbox.Server.GetInstanceLauncher(first);
        var log = running.LogPath!;
        await WaitUntilAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("started-on-stderr", StringComparison.Ordinal), "the log holds stdout and stderr");
        var environment = Assert.Single(File.ReadAllLines(Out(first, "env"))).Split('|');
        var userDataFile = environment[5];

        await _ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [first] });
        await _sandbox.Server.WaitForInstanceProcessExitAsync(first, timeout.Token);
        await WaitUntilAsync(() => IsGone(child), "the child of the stopped process is gone");
        await WaitUntilAsync(() => !File.Exists(userDataFile), "the user data file is deleted");
        var stopped = _sandbox.Server.GetInstanceLauncher(first);
        var other = _sandbox.Server.GetInstanceLauncher(ids[1]);

        Assert.True(running.Running);
        Assert.NotNull(running.ProcessId);
        Assert.Equal([first, _sandbox.AccountId, SandboxHarness.Region, _sandbox.Server.Endpoint.ToString()], environment[..4]);
        Assert.Equal(_sandbox.Server.GetInstanceMetadataEndpoint(ids[1])!.ToString().TrimEnd('/').Length, environment[4].Length);
        Assert.StartsWith("http://127.0.0.1:", environment[4], StringComparison.Ordinal);
        Assert.Equal("600", File.ReadAllText(Out(first, "mode")).Trim());
        Assert.Equal("#!/bin/bash\necho user-data\n", File.ReadAllText(Out(first, "userdata")));
        Assert.Contains("started-on-stdout", File.ReadAllText(log), StringComparison.Ordinal);
        Assert.False(stopped.Running);
        Assert.NotNull(stopped.ExitCode);
        Assert.True(other.Running);
        Assert.Single(File.ReadAllLines(Out(first, "env")));
    }

    [LinuxFact]
    public async Task Launcher_SandboxStops_StopsEveryInstanceProcess()
    {
        _sandbox.Server.InstanceLauncher = new SandboxInstanceLauncher("/bin/sh", ["-c", Script, "sh", _directory]);
        var id = Assert.Single(await LaunchAsync(1, "echo"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _sandbox.Server.WaitForInstanceProcessStartAsync(id, timeout.Token);
        var child = await ChildPidAsync(id);
        var pid = _sandbox.Server.GetInstanceLauncher(id).ProcessId!.Value;

        _sandbox.Server.Dispose();

        await WaitUntilAsync(() => IsGone(pid) && IsGone(child), "the instance's process tree is gone");
        Assert.False(_sandbox.Server.GetInstanceLauncher(id).Running);
    }

    [LinuxFact]
    public async Task ControlApi_LauncherInstancesAndParameters_ServeTheStateForScans()
    {
        using var http = new HttpClient { BaseAddress = _sandbox.Server.Endpoint };
        var launcherBody = System.Text.Json.JsonSerializer.Serialize(new { command = "/bin/sh", arguments = new[] { "-c", Script, "sh", _directory } });
        using var set = await http.PutAsync(new Uri("_sandbox/instance-launcher", UriKind.Relative), new StringContent(launcherBody, Encoding.UTF8, "application/json"));
        _sandbox.Server.PutParameter(_sandbox.AccountId, SandboxHarness.Region, "/remediation/prod/client-secret", "s3cr3t-value");
        var id = Assert.Single(await LaunchAsync(1, "docker run example"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _sandbox.Server.WaitForInstanceProcessStartAsync(id, timeout.Token);

        using var instances = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri("_sandbox/instances", UriKind.Relative)));
        using var parameters = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri("_sandbox/parameters", UriKind.Relative)));
        using var launcher = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri($"_sandbox/instances/{id}/launcher", UriKind.Relative)));
        var offBody = new StringContent("{\"command\":null}", Encoding.UTF8, "application/json");
        using var off = await http.PutAsync(new Uri("_sandbox/instance-launcher", UriKind.Relative), offBody);

        Assert.True(set.IsSuccessStatusCode);
        var instance = Assert.Single(instances.RootElement.EnumerateArray());
        Assert.Equal(id, instance.GetProperty("InstanceId").GetString());
        Assert.Equal("docker run example", instance.GetProperty("UserData").GetString());
        var parameter = Assert.Single(parameters.RootElement.EnumerateArray());
        Assert.Equal("s3cr3t-value", parameter.GetProperty("Value").GetString());
        Assert.True(launcher.RootElement.GetProperty("Running").GetBoolean());
        Assert.True(launcher.RootElement.GetProperty("ProcessId").GetInt32() > 0);
        Assert.True(off.IsSuccessStatusCode);
        Assert.Null(_sandbox.Server.InstanceLauncher);
    }

    [Fact]
    public async Task Launcher_Off_StartsNothing()
    {
        var id = Assert.Single(await LaunchAsync(1, "echo"));

        var status = _sandbox.Server.GetInstanceLauncher(id);

        Assert.False(status.Started);
        Assert.Null(status.ProcessId);
        Assert.NotNull(_sandbox.Server.GetInstanceMetadataEndpoint(id));
    }
}

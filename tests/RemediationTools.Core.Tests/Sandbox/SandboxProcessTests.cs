using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.EC2.Model;
using RemediationTools.AwsSandbox;

namespace RemediationTools.Core.Tests.Sandbox;

public sealed class SandboxProcessTests
{
    private static readonly HttpClient Http = new();

    private static Process StartSandbox(int? parentPid = null)
    {
        var dll = typeof(SandboxServer).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");
        if (parentPid is { } pid)
        {
            start.ArgumentList.Add("--parent-pid");
            start.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
        }

        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
    }

    private static async Task<Uri> ReadEndpointAsync(Process sandbox)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await sandbox.StandardOutput.ReadLineAsync(timeout.Token);
        Assert.NotNull(line);
        Assert.Matches(@"^RemediationTools\.AwsSandbox listening on http://127\.0\.0\.1:\d+/$", line);
        return new Uri(line["RemediationTools.AwsSandbox listening on ".Length..]);
    }

    [Fact]
    public async Task SeparateProcess_PortZero_PrintsEndpointAndServesControlAndAwsCalls()
    {
        using var sandbox = StartSandbox();
        try
        {
            var endpoint = await ReadEndpointAsync(sandbox);

            using var created = await Http.PostAsJsonAsync(new Uri(endpoint, "_sandbox/accounts"), new { accountId = "444455556666" });
            var account = await created.Content.ReadFromJsonAsync<JsonElement>();
            var root = new SandboxAccount(account.GetProperty("accountId").GetString()!, account.GetProperty("accessKeyId").GetString()!, account.GetProperty("secretAccessKey").GetString()!);
            using var ec2 = new Amazon.EC2.AmazonEC2Client(
                SandboxHarness.Credentials(root),
                new Amazon.EC2.AmazonEC2Config { ServiceURL = endpoint.ToString(), AuthenticationRegion = "us-west-2", MaxErrorRetry = 0 });
            var groups = await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest());
            using var instance = await Http.PostAsJsonAsync(
                new Uri(endpoint, "_sandbox/instances"),
                new { accountId = root.AccountId, region = "us-west-2", networkInterfaces = new[] { new[] { groups.SecurityGroups[0].GroupId } }, tags = new Dictionary<string, string> { ["Name"] = "demo" } });
            var instanceId = (await instance.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString();
            var calls = await Http.GetFromJsonAsync<Dictionary<string, int>>(new Uri(endpoint, "_sandbox/calls"));

            Assert.Equal("444455556666", root.AccountId);
            Assert.Equal("default", Assert.Single(groups.SecurityGroups).GroupName);
            Assert.Matches("^i-[0-9a-f]{17}$", instanceId);
            Assert.Equal(new Dictionary<string, int> { ["ec2:DescribeSecurityGroups"] = 1 }, calls);
        }
        finally
        {
            sandbox.Kill();
            await sandbox.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task SeparateProcess_ParentExits_SandboxExits()
    {
        using var parent = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        using var sandbox = StartSandbox(parent.Id);
        try
        {
            await ReadEndpointAsync(sandbox);

            parent.Kill();
            await parent.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await sandbox.WaitForExitAsync(timeout.Token);

            Assert.Equal(0, sandbox.ExitCode);
        }
        finally
        {
            if (!sandbox.HasExited)
            {
                sandbox.Kill();
            }
        }
    }

    [Fact]
    public async Task SeparateProcess_Sigterm_ExitsCleanly()
    {
        using var sandbox = StartSandbox();
        try
        {
            await ReadEndpointAsync(sandbox);

            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", sandbox.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
            await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await sandbox.WaitForExitAsync(timeout.Token);

            Assert.Equal(0, sandbox.ExitCode);
        }
        finally
        {
            if (!sandbox.HasExited)
            {
                sandbox.Kill();
            }
        }
    }
}

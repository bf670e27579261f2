using System.Text.RegularExpressions;
using RemediationTools.Core.Deployment;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Tests.Stores;

namespace RemediationTools.Core.Tests.Deployment;

public sealed class WorkerUserDataTests
{
    private static WorkerUserDataSpec Spec(string image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/remediation-worker:0.2.0") => new()
    {
        GroupName = "Prod",
        ClientId = "0123456789abcdef0123456789abcdef",
        Image = WorkerImageReference.Parse(image),
        Store = "aws:Sec",
        SecretParameter = "/remediation/prod/client-secret",
        Region = "us-east-1",
    };

    [Fact]
    public void Script_EcrImage_InstallsDockerLogsInPullsAndRunsTheWorker()
    {
        var script = WorkerUserData.Script(Spec());
        var lines = script.Split('\n');

        Assert.Equal("#!/bin/bash", lines[0]);
        Assert.Contains("dnf install -y docker", lines);
        Assert.Contains("systemctl enable --now docker", lines);
        Assert.Contains("aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin 111122223333.dkr.ecr.us-east-1.amazonaws.com", lines);
        Assert.Contains("docker pull 111122223333.dkr.ecr.us-east-1.amazonaws.com/remediation-worker:0.2.0", lines);
        var run = Assert.Single(lines, l => l.StartsWith("docker run ", StringComparison.Ordinal));
        Assert.Equal(WorkerUserData.ContainerCommand(Spec()), run);
        Assert.EndsWith(" 111122223333.dkr.ecr.us-east-1.amazonaws.com/remediation-worker:0.2.0", run, StringComparison.Ordinal);
        Assert.Contains("-e REMEDIATION_CLIENT_SECRET_PARAMETER=/remediation/prod/client-secret", run, StringComparison.Ordinal);
        Assert.Contains("-e REMEDIATION_STORE=aws:Sec", run, StringComparison.Ordinal);
        Assert.Contains("-e AWS_REGION=us-east-1", run, StringComparison.Ordinal);
        Assert.Contains("-e REMEDIATION_INSTANCE_ID=\"$INSTANCE_ID\"", run, StringComparison.Ordinal);

        // The instance role gives the credentials: no key, profile or secret file reaches the container.
        Assert.DoesNotContain("AWS_ACCESS_KEY_ID", script, StringComparison.Ordinal);
        Assert.DoesNotContain("REMEDIATION_CLIENT_SECRET_FILE", script, StringComparison.Ordinal);
        Assert.DoesNotContain("--mount", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Script_ImageOutsideEcr_NoRegistryLogin()
    {
        var script = WorkerUserData.Script(Spec("ghcr.io/example/remediation-worker:0.2.0"));

        Assert.DoesNotContain("docker login", script, StringComparison.Ordinal);
        Assert.Contains("docker pull ghcr.io/example/remediation-worker:0.2.0\n", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContainerCommand_SameWorkerAsTheGroupsDockerRunSnippet()
    {
        // The EC2 worker must start exactly like the snippet New-RemediationWorkerGroup prints (restart policy, limits,
        // group, client ID): only the secret and credential sources differ.
        using var folder = new StoreTestFolder();
        var groups = new WorkerGroupService(new LocalFolderStore(folder.Path), hashIterations: ClientSecretHasher.MinimumIterations);
        var created = await groups.CreateAsync("Prod", null, "o-abcdefghij", new[] { new RemediationCloudAccount { RoleArn = "arn:aws:iam::222222222222:role/RemediationRole" } }, false, CancellationToken.None);
        var spec = Spec();
        spec.ClientId = created.Group.ClientId;

        var common = new WorkerContainerCommand("Prod", created.Group.ClientId).ToString("IMAGE");
        var prefix = common.Substring(0, common.Length - " IMAGE".Length);
        Assert.StartsWith(prefix + " ", created.Deployment.DockerRunCommand, StringComparison.Ordinal);
        Assert.StartsWith(prefix + " ", WorkerUserData.ContainerCommand(spec), StringComparison.Ordinal);
        Assert.Contains("--restart unless-stopped --memory 128m --cpus 0.5", prefix, StringComparison.Ordinal);
        Assert.Contains("--name remediation-worker-prod ", prefix, StringComparison.Ordinal);
        Assert.Contains("-e REMEDIATION_CLIENT_ID=" + created.Group.ClientId, prefix, StringComparison.Ordinal);
        Assert.DoesNotContain(created.Deployment.PlainClientSecret, WorkerUserData.Script(spec), StringComparison.Ordinal);
    }

    [Fact]
    public void Script_EveryValueIsShellSafe()
    {
        // Nothing from the request is quoted in the script, so every value must be made of characters the shell does
        // not interpret: the validations of group, image, store and parameter guarantee it; this checks the whole line.
        var run = WorkerUserData.ContainerCommand(Spec());
        var withoutInstance = run.Replace("\"$INSTANCE_ID\"", "X", StringComparison.Ordinal);

        Assert.Matches(new Regex("^[A-Za-z0-9 ._:/=@-]+$"), withoutInstance);
    }
}

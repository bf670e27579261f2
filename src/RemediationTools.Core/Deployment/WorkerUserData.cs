using System.Text;

namespace RemediationTools.Core.Deployment;

/// <summary>What the user data of a worker instance starts.</summary>
internal sealed class WorkerUserDataSpec
{
    public string GroupName { get; set; } = string.Empty;

    public string ClientId { get; set; } = string.Empty;

    public WorkerImageReference Image { get; set; } = WorkerImageReference.Parse("remediation-worker");

    /// <summary>The AWS store selection (<c>aws</c> or <c>aws:&lt;name&gt;</c>).</summary>
    public string Store { get; set; } = "aws";

    /// <summary>The SSM SecureString parameter holding the client secret.</summary>
    public string SecretParameter { get; set; } = string.Empty;

    /// <summary>The region of the store, the parameter and the instance.</summary>
    public string Region { get; set; } = string.Empty;
}

/// <summary>
/// The EC2 user data of a worker instance: a shell script that installs Docker, logs in to ECR when the image is there,
/// pulls the image and runs it with <see cref="WorkerContainerCommand"/>, exactly like the group's <c>docker run</c>
/// snippet but with the secret read from SSM and the credentials of the instance role. It never holds the client secret
/// or any credential: the worker reads the secret at start through its instance role.
/// </summary>
internal static class WorkerUserData
{
    /// <summary>The environment variable naming the EC2 instance a worker runs on, reported in its heartbeats.</summary>
    public const string InstanceIdVariable = "REMEDIATION_INSTANCE_ID";

    /// <summary>The largest user data EC2 accepts (16 KB before base64).</summary>
    public const int MaxBytes = 16 * 1024;

    /// <summary>The script for <paramref name="spec"/>.</summary>
    public static string Script(WorkerUserDataSpec spec)
    {
        if (spec is null)
        {
            throw new ArgumentNullException(nameof(spec));
        }

        var container = ContainerCommand(spec);
        var text = new StringBuilder()
            .Append("#!/bin/bash\n")
            .Append("# RemediationTools worker for group ").Append(spec.GroupName).Append(", image ").Append(spec.Image.Value).Append(".\n")
            .Append("# No secret is written here: the worker reads its client secret from SSM Parameter Store with the instance role.\n")
            .Append("set -euo pipefail\n")
            .Append("dnf install -y docker\n")
            .Append("systemctl enable --now docker\n")
            .Append("TOKEN=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')\n")
            .Append("INSTANCE_ID=$(curl -fsS -H \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/instance-id)\n");
        if (spec.Image.IsEcr)
        {
            text.Append("aws ecr get-login-password --region ").Append(spec.Image.EcrRegion).Append(" | docker login --username AWS --password-stdin ").Append(spec.Image.Registry).Append('\n');
        }

        text.Append("docker pull ").Append(spec.Image.Value).Append('\n')
            .Append("docker rm -f ").Append(WorkerContainerCommand.ContainerNameOf(spec.GroupName)).Append(" >/dev/null 2>&1 || true\n")
            .Append(container).Append('\n');
        var script = text.ToString();
        if (Encoding.UTF8.GetByteCount(script) > MaxBytes)
        {
            throw new ArgumentException("The worker's user data would be over EC2's 16 KB limit.", nameof(spec));
        }

        return script;
    }

    /// <summary>The <c>docker run</c> line of the script.</summary>
    public static string ContainerCommand(WorkerUserDataSpec spec) =>
        new WorkerContainerCommand(spec.GroupName, spec.ClientId)
            .SecretParameter(spec.SecretParameter)
            .AwsStore(spec.Store)
            .Environment("AWS_REGION", spec.Region)
            .Environment(InstanceIdVariable, "\"$INSTANCE_ID\"")
            .ToString(spec.Image.Value);
}

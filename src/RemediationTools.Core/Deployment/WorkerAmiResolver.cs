using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace RemediationTools.Core.Deployment;

/// <summary>The current Amazon Linux 2023 AMI for an instance type: its architecture, the AMI and its root device.</summary>
internal sealed class WorkerAmi
{
    public WorkerAmi(string imageId, string architecture, string rootDeviceName, string parameterName)
    {
        ImageId = imageId;
        Architecture = architecture;
        RootDeviceName = rootDeviceName;
        ParameterName = parameterName;
    }

    public string ImageId { get; }

    public string Architecture { get; }

    public string RootDeviceName { get; }

    /// <summary>The public SSM parameter the AMI was resolved through.</summary>
    public string ParameterName { get; }
}

/// <summary>
/// Resolves the current Amazon Linux 2023 AMI through its public SSM parameter
/// (<c>/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-&lt;arch&gt;</c>), for the architecture of the
/// instance type (DescribeInstanceTypes), and reads the AMI's root device name (DescribeImages) so the encrypted root
/// volume is mapped on the right device.
/// </summary>
internal static class WorkerAmiResolver
{
    /// <summary>The public parameter path of the current AL2023 AMI, without the architecture.</summary>
    public const string ParameterPrefix = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-";

    public static async Task<WorkerAmi> ResolveAsync(IAmazonEC2 ec2, IAmazonSimpleSystemsManagement ssm, string instanceType, CancellationToken cancellationToken)
    {
        DescribeInstanceTypesResponse types;
        try
        {
            types = await ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest { InstanceTypes = new List<string> { instanceType } }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonEC2Exception ex) when (ex.ErrorCode is "InvalidInstanceType" or "InvalidParameterValue")
        {
            throw new ArgumentException("-InstanceType '" + instanceType + "' is not an EC2 instance type in this region: " + ex.Message, nameof(instanceType), ex);
        }

        var info = types.InstanceTypes?.FirstOrDefault()
            ?? throw new ArgumentException("-InstanceType '" + instanceType + "' is not an EC2 instance type in this region.", nameof(instanceType));
        var architectures = info.ProcessorInfo?.SupportedArchitectures ?? new List<string>();
        var architecture = architectures.Contains("x86_64") ? "x86_64" : architectures.Contains("arm64") ? "arm64" : null;
        if (architecture is null)
        {
            throw new ArgumentException("-InstanceType '" + instanceType + "' supports neither x86_64 nor arm64 (" + string.Join(", ", architectures) + "); Amazon Linux 2023 needs one of them.", nameof(instanceType));
        }

        var parameter = ParameterPrefix + architecture;
        var value = await ssm.GetParameterAsync(new GetParameterRequest { Name = parameter }, cancellationToken).ConfigureAwait(false);
        var imageId = value.Parameter?.Value ?? throw new InvalidOperationException("The public parameter " + parameter + " has no value.");
        var images = await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = new List<string> { imageId } }, cancellationToken).ConfigureAwait(false);
        var image = images.Images?.FirstOrDefault()
            ?? throw new InvalidOperationException("The AMI " + imageId + " named by " + parameter + " is not visible to this account.");
        return new WorkerAmi(imageId, architecture, image.RootDeviceName ?? "/dev/xvda", parameter);
    }
}

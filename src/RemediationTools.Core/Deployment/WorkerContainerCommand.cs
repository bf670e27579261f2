using RemediationTools.Core.Stores;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Deployment;

/// <summary>
/// The one <c>docker run</c> command line of a worker container, shared by the snippet that New-RemediationWorkerGroup
/// prints and the EC2 user data of Deploy-RemediationWorker, so both start the worker the same way: a restart policy,
/// the seed's host limits (128 MB, half a core), the group and client ID, and the store. Where the secret and the AWS
/// credentials come from differs (a mounted file and profile on a workstation; SSM and the instance role on EC2) and is
/// added by the caller. Never holds a secret.
/// </summary>
internal sealed class WorkerContainerCommand
{
    /// <summary>The memory limit of a worker container (the seed's minimum host).</summary>
    public const string MemoryLimit = "128m";

    /// <summary>The CPU limit of a worker container (the seed's minimum host).</summary>
    public const string CpuLimit = "0.5";

    private readonly List<string> arguments = new();

    /// <summary>Starts the command for group <paramref name="groupName"/> with client ID <paramref name="clientId"/>.</summary>
    public WorkerContainerCommand(string groupName, string clientId)
    {
        WorkerGroupNames.Validate(groupName);
        ContainerName = ContainerNameOf(groupName);
        arguments.Add("docker run -d --name " + ContainerName + " --restart unless-stopped --memory " + MemoryLimit + " --cpus " + CpuLimit);
        Environment(WorkerGroupService.GroupVariable, groupName);
        Environment(WorkerGroupService.ClientIdVariable, clientId);
    }

    /// <summary>The container's name: <c>remediation-worker-&lt;group in lower case&gt;</c>.</summary>
    public string ContainerName { get; }

    /// <summary>The container name of a group's worker.</summary>
    public static string ContainerNameOf(string groupName) => "remediation-worker-" + groupName.ToLowerInvariant();

    /// <summary>Adds <c>-e name=value</c>; the value is written as given (the caller quotes it when it needs to).</summary>
    public WorkerContainerCommand Environment(string name, string value)
    {
        arguments.Add("-e " + name + "=" + value);
        return this;
    }

    /// <summary>Adds the store variable: <c>aws[:name]</c> as is, a local store as the container's mounted folder.</summary>
    public WorkerContainerCommand Store(IRemediationStore store, Func<string, string> quote)
    {
        if (store is LocalFolderStore local)
        {
            Environment(StoreFactory.StoreVariable, "local:" + WorkerGroupService.ContainerStoreFolder);
            arguments.Add("-v " + quote(local.Root) + ":" + WorkerGroupService.ContainerStoreFolder);
            if (local.SharedGroupId is { } storeGroup)
            {
                // A group-shared store: the container is in the store's group whatever user it runs as.
                arguments.Add("--group-add " + storeGroup.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        else
        {
            Environment(StoreFactory.StoreVariable, store.Description);
        }

        return this;
    }

    /// <summary>Adds the store variable for an AWS store installation (<c>aws</c> or <c>aws:&lt;name&gt;</c>).</summary>
    public WorkerContainerCommand AwsStore(string storeSelection) => Environment(StoreFactory.StoreVariable, storeSelection);

    /// <summary>Adds the secret read from a file mounted read-only into the container.</summary>
    public WorkerContainerCommand SecretFile(string hostFile, Func<string, string> quote)
    {
        arguments.Add("--mount type=bind,source=" + quote(hostFile) + ",target=" + WorkerClientSecret.ContainerSecretFile + ",readonly");
        return Environment(WorkerClientSecret.FileVariable, WorkerClientSecret.ContainerSecretFile);
    }

    /// <summary>Adds the secret read by the worker from an SSM SecureString parameter with its instance role.</summary>
    public WorkerContainerCommand SecretParameter(string parameterName) => Environment(WorkerClientSecret.ParameterVariable, parameterName);

    /// <summary>Adds a raw argument (a mount, a user), as given.</summary>
    public WorkerContainerCommand Argument(string argument)
    {
        arguments.Add(argument);
        return this;
    }

    /// <summary>The command line, ending with <paramref name="image"/>.</summary>
    public string ToString(string image) => string.Join(" ", arguments) + " " + image;
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using RemediationTools.AwsSandbox.Ec2;
using RemediationTools.AwsSandbox.Protocol;
using RemediationTools.AwsSandbox.Ssm;

namespace RemediationTools.AwsSandbox;

/// <summary>The command the sandbox starts for each launched instance when it becomes running (test infrastructure).</summary>
/// <param name="Command">The executable.</param>
/// <param name="Arguments">Its arguments.</param>
public sealed record SandboxInstanceLauncher(string Command, IReadOnlyList<string> Arguments);

/// <summary>Whether the launcher's process of an instance runs.</summary>
/// <param name="InstanceId">The instance.</param>
/// <param name="Started">True once the process was started.</param>
/// <param name="Running">True while it runs.</param>
/// <param name="ProcessId">Its pid, once started.</param>
/// <param name="ExitCode">Its exit code, once it exited.</param>
/// <param name="LogPath">The file its stdout and stderr go to, once started.</param>
public sealed record SandboxInstanceLauncherStatus(string InstanceId, bool Started, bool Running, int? ProcessId, int? ExitCode, string? LogPath);

/// <summary>An instance launched through RunInstances, for tests that scan the whole state (e.g. for a secret).</summary>
/// <param name="AccountId">Its account.</param>
/// <param name="Region">Its region.</param>
/// <param name="InstanceId">Its id.</param>
/// <param name="State">pending, running, shutting-down or terminated.</param>
/// <param name="ImageId">Its AMI.</param>
/// <param name="InstanceType">Its type.</param>
/// <param name="IamInstanceProfileArn">Its instance profile, or null.</param>
/// <param name="UserData">Its user data decoded (UTF-8), or null.</param>
/// <param name="Tags">Its tags.</param>
/// <param name="MetadataEndpoint">Its metadata service's base URL while it is not terminated.</param>
public sealed record SandboxLaunchedInstance(
    string AccountId,
    string Region,
    string InstanceId,
    string State,
    string ImageId,
    string InstanceType,
    string? IamInstanceProfileArn,
    string? UserData,
    IReadOnlyDictionary<string, string> Tags,
    Uri? MetadataEndpoint);

/// <summary>A Parameter Store parameter as stored (the plain value, also of a SecureString).</summary>
/// <param name="AccountId">Its account.</param>
/// <param name="Region">Its region.</param>
/// <param name="Name">Its name.</param>
/// <param name="Type">String, StringList or SecureString.</param>
/// <param name="Value">The stored value.</param>
/// <param name="KeyId">The KMS key of a SecureString, or null.</param>
/// <param name="Version">Its version.</param>
/// <param name="Description">Its description, or null.</param>
/// <param name="Tags">Its tags.</param>
public sealed record SandboxParameter(string AccountId, string Region, string Name, string Type, string Value, string? KeyId, long Version, string? Description, IReadOnlyDictionary<string, string> Tags);

public sealed partial class SandboxServer
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, InstanceRuntime> _runtimes = new(StringComparer.Ordinal);
    private readonly Lazy<string> _instanceDirectory = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), "aws-sandbox-instances-" + IdGenerator.Hex(12));
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    });

    private SandboxInstanceLauncher? _launcher;

    /// <summary>
    /// The command started once for every launched instance when it becomes running (null: none), with the sandbox
    /// process's environment plus SANDBOX_INSTANCE_ID, SANDBOX_ACCOUNT_ID, SANDBOX_REGION, SANDBOX_ENDPOINT,
    /// SANDBOX_USER_DATA_FILE (mode 0600), SANDBOX_INSTANCE_LOG and AWS_EC2_METADATA_SERVICE_ENDPOINT. TerminateInstances
    /// and <see cref="Dispose"/> stop its process tree (SIGTERM, then SIGKILL after 5 s) and delete the user data file.
    /// </summary>
    public SandboxInstanceLauncher? InstanceLauncher
    {
        get { lock (_state.Gate) { return _launcher; } }
        set
        {
            if (value is not null && string.IsNullOrWhiteSpace(value.Command))
            {
                throw new ArgumentException("The launcher's command is empty.", nameof(value));
            }

            lock (_state.Gate) { _launcher = value; }
        }
    }

    /// <summary>Adds a key pair that RunInstances' KeyName may name.</summary>
    public void AddKeyPair(string accountId, string region, string keyName)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        lock (_state.Gate)
        {
            _state.Ec2(accountId, region).KeyPairs.Add(keyName);
        }
    }

    /// <summary>The base URL of a launched instance's metadata service (set AWS_EC2_METADATA_SERVICE_ENDPOINT to it); null once terminated.</summary>
    public Uri? GetInstanceMetadataEndpoint(string instanceId) =>
        _runtimes.TryGetValue(instanceId, out var runtime) ? runtime.Metadata?.Endpoint : null;

    /// <summary>The launcher's process of an instance.</summary>
    public SandboxInstanceLauncherStatus GetInstanceLauncher(string instanceId)
    {
        lock (_state.Gate)
        {
            if (!_runtimes.TryGetValue(instanceId, out var runtime))
            {
                throw new ArgumentException($"Instance '{instanceId}' was not launched through RunInstances.", nameof(instanceId));
            }

            var process = runtime.Process;
            return new SandboxInstanceLauncherStatus(instanceId, process is not null, process?.IsRunning ?? false, process?.ProcessId, process?.ExitCode, process?.LogPath);
        }
    }

    /// <summary>Completes when the launcher has started the instance's process (or at once if it already did).</summary>
    public Task WaitForInstanceProcessStartAsync(string instanceId, CancellationToken cancellationToken = default) =>
        Runtime(instanceId).Started.Task.WaitAsync(cancellationToken);

    /// <summary>Completes with the exit code when the instance's process has exited.</summary>
    public async Task<int> WaitForInstanceProcessExitAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var runtime = Runtime(instanceId);
        await runtime.Started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await runtime.Process!.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every instance launched through RunInstances, with its decoded user data and tags.</summary>
    public IReadOnlyList<SandboxLaunchedInstance> DumpInstances()
    {
        lock (_state.Gate)
        {
            var now = _state.Now;
            return _state.Accounts.Values.SelectMany(a => a.Ec2Regions.Values).SelectMany(r => r.Instances.Where(i => i.Launched).Select(i => new SandboxLaunchedInstance(
                r.AccountId,
                r.Region,
                i.InstanceId,
                i.RunState.Current(now),
                i.ImageId,
                i.InstanceType,
                i.IamInstanceProfileArn,
                i.DecodedUserData is { } data ? Encoding.UTF8.GetString(data) : null,
                i.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
                GetInstanceMetadataEndpoint(i.InstanceId)))).ToList();
        }
    }

    /// <summary>Every Parameter Store parameter of every account and region with its stored value.</summary>
    public IReadOnlyList<SandboxParameter> DumpParameters()
    {
        lock (_state.Gate)
        {
            return _state.Accounts.Values
                .SelectMany(a => a.SsmRegions.SelectMany(r => r.Value.Parameters.Values.Select(p => ToSandboxParameter(a.AccountId, r.Key, p))))
                .ToList();
        }
    }

    /// <summary>One parameter with its stored value, or null.</summary>
    public SandboxParameter? GetStoredParameter(string accountId, string region, string name)
    {
        lock (_state.Gate)
        {
            return _state.Account(accountId).SsmRegions.TryGetValue(region, out var state) && state.Parameters.TryGetValue(name, out var parameter)
                ? ToSandboxParameter(accountId, region, parameter)
                : null;
        }
    }

    private static SandboxParameter ToSandboxParameter(string accountId, string region, SsmParameter p) =>
        new(accountId, region, p.Name, p.Type, p.Value, p.KeyId, p.Version, p.Description, p.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal));

    private InstanceRuntime Runtime(string instanceId) =>
        _runtimes.TryGetValue(instanceId, out var runtime) ? runtime : throw new ArgumentException($"Instance '{instanceId}' was not launched through RunInstances.", nameof(instanceId));

    /// <summary>Stops every instance process and metadata service (sandbox shutdown).</summary>
    private void StopInstances()
    {
        var stops = new List<Task>();
        lock (_state.Gate)
        {
            foreach (var runtime in _runtimes.Values)
            {
                runtime.Metadata?.Dispose();
                runtime.Metadata = null;
                stops.Add(runtime.StopAsync());
            }
        }

        Task.WaitAll(stops);
    }

    /// <summary>Starts the metadata service at launch and the launcher's process when the instance is running.</summary>
    private sealed class InstanceHost(SandboxServer server) : IInstanceHost
    {
        public void Launched(Ec2RegionState state, Instance instance)
        {
            var runtime = new InstanceRuntime(instance.InstanceId);
            runtime.Metadata = new InstanceMetadataService(server, server._state, state.AccountId, state.Region, instance.InstanceId);
            instance.MetadataEndpoint = runtime.Metadata.Endpoint;
            server._runtimes[instance.InstanceId] = runtime;
            var delay = instance.RunState.At - server._state.Now;
            _ = Task.Run(async () =>
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay).ConfigureAwait(false);
                }

                server.StartInstanceProcess(state, instance, runtime);
            });
        }

        public void Terminated(Ec2RegionState state, Instance instance)
        {
            instance.MetadataEndpoint = null;
            if (server._runtimes.TryGetValue(instance.InstanceId, out var runtime))
            {
                runtime.Metadata?.Dispose();
                runtime.Metadata = null;
                runtime.Terminated = true;
                _ = runtime.StopAsync();
            }
        }
    }

    private void StartInstanceProcess(Ec2RegionState state, Instance instance, InstanceRuntime runtime)
    {
        lock (_state.Gate)
        {
            if (runtime.Terminated || _disposed || _launcher is not { } launcher || runtime.Process is not null)
            {
                return;
            }

            var directory = _instanceDirectory.Value;
            var userDataFile = Path.Combine(directory, instance.InstanceId + ".user-data");
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(userDataFile, options))
            {
                stream.Write(instance.DecodedUserData ?? []);
            }

            var logPath = Path.Combine(directory, instance.InstanceId + ".log");
            var environment = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["SANDBOX_INSTANCE_ID"] = instance.InstanceId,
                ["SANDBOX_ACCOUNT_ID"] = state.AccountId,
                ["SANDBOX_REGION"] = state.Region,
                ["SANDBOX_ENDPOINT"] = Endpoint.ToString(),
                ["SANDBOX_USER_DATA_FILE"] = userDataFile,
                ["SANDBOX_INSTANCE_LOG"] = logPath,
                ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = runtime.Metadata?.Endpoint.ToString().TrimEnd('/') ?? string.Empty,
            };
            runtime.UserDataFile = userDataFile;
            runtime.Process = InstanceProcess.Start(launcher.Command, launcher.Arguments, environment, logPath);
            runtime.Started.TrySetResult();
        }
    }

    /// <summary>What runs for one launched instance: its metadata service and the launcher's process.</summary>
    private sealed class InstanceRuntime(string instanceId)
    {
        public string InstanceId { get; } = instanceId;

        public InstanceMetadataService? Metadata { get; set; }

        public InstanceProcess? Process { get; set; }

        public string? UserDataFile { get; set; }

        public bool Terminated { get; set; }

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task StopAsync()
        {
            if (Process is { } process)
            {
                await process.StopAsync(StopGrace).ConfigureAwait(false);
            }

            if (UserDataFile is { } file)
            {
                File.Delete(file);
            }
        }

        public override string ToString() => InstanceId.ToString(CultureInfo.InvariantCulture);
    }
}

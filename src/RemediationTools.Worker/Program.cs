using System.Globalization;
using System.Runtime.InteropServices;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Deployment;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Workers;

namespace RemediationTools.Worker;

/// <summary>
/// The remediation worker console (<c>remediation-worker</c>): configuration from environment variables only, so the
/// <c>docker run</c> snippet of a worker group is all a host needs. SIGTERM and Ctrl+C stop it gracefully (running jobs
/// finish); a second Ctrl+C aborts them. <c>--health</c> is the container health check. See README.md for variables and exit codes.
/// </summary>
internal static class Program
{
    /// <summary>Stopped cleanly (SIGTERM, Ctrl+C), or <c>--health</c>: healthy.</summary>
    public const int ExitStopped = 0;

    /// <summary>An unexpected error (the log line says which), or <c>--health</c>: no recent heartbeat, or the worker cannot read its queue (the line says why).</summary>
    public const int ExitFailed = 1;

    /// <summary>The configuration is incomplete or invalid (a variable is missing or has a bad value, the store is not available).</summary>
    public const int ExitConfiguration = 2;

    /// <summary>Refused at start: the worker group does not exist, or the client ID or secret is wrong.</summary>
    public const int ExitRefused = 3;

    /// <summary>The group's secret was reset (or the group deleted) while running; running jobs were finished first.</summary>
    public const int ExitRevoked = 4;

    private static readonly object ConsoleLock = new();

    private static async Task<int> Main(string[] args)
    {
        if (args.Length > 0)
        {
            switch (args[0])
            {
                case "--health":
                    return Health(Environment.GetEnvironmentVariable("REMEDIATION_HEALTH_FILE") ?? DefaultHealthFile());
                case "--version":
                    Console.WriteLine("remediation-worker " + Version());
                    return ExitStopped;
                case "--help":
                case "-h":
                    Console.WriteLine("remediation-worker [--health|--version|--help]: runs a remediation worker configured by environment variables (see README.md).");
                    return ExitStopped;
                default:
                    Log("ERROR", "unknown argument '" + args[0] + "': the worker takes its configuration from environment variables; arguments: --health, --version, --help");
                    return ExitConfiguration;
            }
        }

        WorkerOptions options;
        IRemediationStore store;
        try
        {
            options = ReadOptions(out var secretSource);

            // From a file or SSM the secret never enters this process's environment (nor docker inspect).
            options.ClientSecret = await WorkerClientSecret.ReadAsync(secretSource, options.Connection, null, CancellationToken.None).ConfigureAwait(false);
            options.Validate();
            store = await StoreFactory.CreateAsync(options.Store, new StoreAwsSettings { Connection = options.Connection }, CancellationToken.None).ConfigureAwait(false);
            if (store is LocalFolderStore { PermissionNote: { } note })
            {
                Log("WARN", note);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or RemediationStoreException or FormatException)
        {
            Log("ERROR", ex.Message);
            return ExitConfiguration;
        }
        catch (AwsConfigurationException ex)
        {
            Log("ERROR", "hosting AWS credentials (needed to read " + WorkerClientSecret.ParameterVariable + " or to use the AWS store): " + ex.Message);
            return ExitConfiguration;
        }

        using var stop = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            if (stop.IsCancellationRequested)
            {
                Log("WARN", "second interrupt: aborting running jobs");
                abort.Cancel();
            }
            else
            {
                Log("INFO", "interrupt: finishing running jobs, then stopping (interrupt again to abort them)");
                stop.Cancel();
            }
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            // Keep the process alive until the loop has finished its running jobs.
            context.Cancel = true;
            Log("INFO", "SIGTERM: finishing running jobs, then stopping");
            stop.Cancel();
        });

        var worker = new RemediationWorker(options, store, (level, message) => Log(Level(level), message));
        try
        {
            var reason = await worker.RunAsync(stop.Token, abort.Token).ConfigureAwait(false);
            return reason == WorkerExitReason.CredentialsRevoked ? ExitRevoked : ExitStopped;
        }
        catch (RemediationStoreException ex) when (ex.Error is StoreError.CredentialsRefused or StoreError.GroupNotFound)
        {
            Log("ERROR", "refused: " + ex.Message);
            return ExitRefused;
        }
        catch (RemediationStoreException ex) when (ex.Error is StoreError.InvalidInput or StoreError.StoreNotAvailable)
        {
            Log("ERROR", ex.Message);
            return ExitConfiguration;
        }
        catch (AwsConfigurationException ex)
        {
            Log("ERROR", "hosting AWS credentials: " + ex.Message);
            return ExitConfiguration;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Log("INFO", "stopped before the worker started");
            return ExitStopped;
        }
        catch (Exception ex)
        {
            Log("ERROR", "unexpected " + ex.GetType().Name + ": " + ex.Message);
            return ExitFailed;
        }
    }

    private static WorkerOptions ReadOptions(out ClientSecretSource secretSource)
    {
        secretSource = WorkerClientSecret.FromEnvironment(Environment.GetEnvironmentVariable);

        // Not inherited by anything this process might start.
        Environment.SetEnvironmentVariable(WorkerGroupService.ClientSecretVariable, null);
        var options = new WorkerOptions
        {
            GroupName = Required(WorkerGroupService.GroupVariable),
            ClientId = Required(WorkerGroupService.ClientIdVariable),
            Store = Environment.GetEnvironmentVariable(StoreFactory.StoreVariable),
            MaxConcurrency = Integer("REMEDIATION_MAX_JOBS", 4),
            Connection = new AwsConnectionOptions(),
            HealthFile = Environment.GetEnvironmentVariable("REMEDIATION_HEALTH_FILE") ?? DefaultHealthFile(),
            InstanceId = Environment.GetEnvironmentVariable(WorkerUserData.InstanceIdVariable) is { Length: > 0 } instance ? instance : null,

            // The seed's host has 128 MB: the heap grown under load goes back once the queue drains.
            TrimMemoryWhenIdle = true,
        };
        options.LeaseDuration = Seconds("REMEDIATION_LEASE_SECONDS", options.LeaseDuration);
        options.HeartbeatInterval = Seconds("REMEDIATION_HEARTBEAT_SECONDS", options.HeartbeatInterval);
        options.PollWait = Seconds("REMEDIATION_POLL_SECONDS", options.PollWait);
        options.RetryDelay = Seconds("REMEDIATION_RETRY_DELAY_SECONDS", options.RetryDelay);
        return options;
    }

    private static string Required(string name)
    {
        var value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(value)
            ? throw new ArgumentException("The environment variable " + name + " is not set; the worker needs " + WorkerGroupService.GroupVariable + ", " +
                WorkerGroupService.ClientIdVariable + " and its client secret (" + WorkerClientSecret.FileVariable + ", " + WorkerClientSecret.ParameterVariable + " or " +
                WorkerGroupService.ClientSecretVariable + ").")
            : value.Trim();
    }

    private static int Integer(string name, int fallback)
    {
        var text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException(name + " must be a positive whole number, not '" + text + "'.");
    }

    private static TimeSpan Seconds(string name, TimeSpan fallback)
    {
        var text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= 86400
            ? TimeSpan.FromSeconds(value)
            : throw new ArgumentException(name + " must be a number of seconds between 0 and 86400, not '" + text + "'.");
    }

    private static int Health(string file)
    {
        RemediationWorkerInfo info;
        try
        {
            info = RemediationTools.Core.Results.RemediationJson.Deserialize<RemediationWorkerInfo>(File.ReadAllText(file));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or NotSupportedException)
        {
            Console.WriteLine("unhealthy: no heartbeat recorded in " + file + " (" + ex.Message + ")");
            return ExitFailed;
        }

        // The judgement of Get-RemediationWorker: a recent heartbeat, and a queue that the worker can read.
        var now = DateTimeOffset.UtcNow;
        var (state, reason) = WorkerHealth.Explain(info, now);
        var age = ((long)(now - info.LastHeartbeat).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        if (state == RemediationWorkerState.Healthy)
        {
            Console.WriteLine("healthy: last heartbeat " + age + " s ago" +
                (info.LastPoll is { } poll ? ", last poll of the queue " + ((long)(now - poll).TotalSeconds).ToString(CultureInfo.InvariantCulture) + " s ago" : string.Empty));
            return ExitStopped;
        }

        Console.WriteLine("unhealthy (" + state + "): " + reason + "; last heartbeat " + age + " s ago");
        return ExitFailed;
    }

    private static string DefaultHealthFile() => Path.Combine(Path.GetTempPath(), "remediation-worker.health");

    private static string Version() => typeof(Program).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private static string Level(WorkerLogLevel level) => level switch
    {
        WorkerLogLevel.Warning => "WARN",
        WorkerLogLevel.Error => "ERROR",
        _ => "INFO",
    };

    private static void Log(string level, string message)
    {
        var line = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + " " + level + " " + message;
        lock (ConsoleLock)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }
}

using System.Text.RegularExpressions;

namespace RemediationTools.Core.Stores.Aws;

/// <summary>Settings of an <see cref="AwsStore"/>: the installation's name and the tuning the tests change.</summary>
internal sealed class AwsStoreOptions
{
    /// <summary>The installation name used when <c>aws</c> names none.</summary>
    public const string DefaultName = "RemediationTools";

    /// <summary>SQS's largest message (256 KiB); a larger request is refused, never truncated.</summary>
    public const int MaxMessageBytes = 256 * 1024;

    /// <summary>The longest SQS queue name.</summary>
    public const int MaxQueueNameLength = 80;

    private static readonly Regex NamePattern = new("^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", RegexOptions.CultureInvariant);

    /// <summary>The installation: the DynamoDB table's name and the prefix of the queue names.</summary>
    public string Name { get; set; } = DefaultName;

    /// <summary>How many times a request is delivered before it is dead-lettered (the redrive policy's maxReceiveCount).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The queues' default visibility timeout (a receive names its own lease).</summary>
    public TimeSpan DefaultLease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the dead-letter queue is left alone after a sweep found it empty or swept it.</summary>
    public TimeSpan DeadLetterSweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a worker item outlives its last heartbeat (DynamoDB TTL).</summary>
    public TimeSpan WorkerRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a run record is kept after it finished (DynamoDB TTL).</summary>
    public TimeSpan RunRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often table creation looks whether the table is ACTIVE.</summary>
    public TimeSpan TablePollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long table creation waits for ACTIVE before it gives up.</summary>
    public TimeSpan TableWaitLimit { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock (tests); it must agree with the clock of the SQS endpoint for lease expiry.</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>Throws <see cref="StoreError.StoreNotAvailable"/> unless <paramref name="name"/> is a valid installation name; the message names <paramref name="origin"/>.</summary>
    public static void ValidateName(string? name, string origin)
    {
        if (name is null || !NamePattern.IsMatch(name))
        {
            throw new RemediationStoreException(
                StoreError.StoreNotAvailable,
                "The AWS store name '" + name + "' (" + origin + ") is not valid: use 1 to 40 letters, digits, '-' and '_', starting with a letter or digit (it names the DynamoDB table and prefixes the SQS queue names).")
            {
                Target = name,
            };
        }
    }
}

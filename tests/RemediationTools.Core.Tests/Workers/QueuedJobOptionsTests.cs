using RemediationTools.Core.Engine;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Tests.Workers;

public sealed class QueuedJobOptionsTests
{
    private static RemediationOptions Options() => new()
    {
        JobId = "rds-backup-retention-30-days",
        RangeMode = RangeMode.Remove,
        KmsKeyId = "alias/team-key",
        LoggingBucketPrefix = "team-logs",
        MinimumPasswordLength = 20,
        PasswordReusePrevention = 12,
        BackupRetentionDays = 33,
    };

    [Fact]
    public void Read_WrittenRequest_HasEveryJobOption()
    {
        var read = QueuedJobOptions.Read(QueuedJobOptions.Write(Options(), new QueuedRequest()));

        Assert.Equal("rds-backup-retention-30-days", read.JobId);
        Assert.Equal(RangeMode.Remove, read.RangeMode);
        Assert.Equal("alias/team-key", read.KmsKeyId);
        Assert.Equal("team-logs", read.LoggingBucketPrefix);
        Assert.Equal(20, read.MinimumPasswordLength);
        Assert.Equal(12, read.PasswordReusePrevention);
        Assert.Equal(33, read.BackupRetentionDays);
    }

    [Fact]
    public void Read_RequestWithoutOptions_HasTheDefaults()
    {
        var read = QueuedJobOptions.Read(QueuedJobOptions.Write(null, new QueuedRequest()));
        var defaults = new RemediationOptions();

        Assert.Null(read.JobId);
        Assert.Null(read.KmsKeyId);
        Assert.Equal(defaults.RangeMode, read.RangeMode);
        Assert.Equal(defaults.LoggingBucketPrefix, read.LoggingBucketPrefix);
        Assert.Equal(RemediationOptions.DefaultMinimumPasswordLength, read.MinimumPasswordLength);
        Assert.Equal(RemediationOptions.DefaultPasswordReusePrevention, read.PasswordReusePrevention);
        Assert.Equal(RemediationOptions.DefaultBackupRetentionDays, read.BackupRetentionDays);
    }

    [Fact]
    public void KindOf_RequestsThatDifferInOneOption_AreOtherKinds()
    {
        var kinds = new List<object>();
        var variants = new Action<RemediationOptions>[]
        {
            _ => { },
            o => o.JobId = null,
            o => o.RangeMode = RangeMode.Split,
            o => o.KmsKeyId = null,
            o => o.LoggingBucketPrefix = "other-logs",
            o => o.MinimumPasswordLength = 21,
            o => o.PasswordReusePrevention = 13,
            o => o.BackupRetentionDays = 34,
        };
        foreach (var change in variants)
        {
            var options = Options();
            change(options);
            kinds.Add(QueuedJobOptions.KindOf(QueuedJobOptions.Write(options, new QueuedRequest())));
        }

        Assert.Equal(variants.Length, kinds.Distinct().Count());
        Assert.Equal(kinds[0], QueuedJobOptions.KindOf(QueuedJobOptions.Write(Options(), new QueuedRequest())));
    }

    [Theory]
    [InlineData("not a key!", null, "not a key!")]
    [InlineData(null, 0, "0")]
    public void Read_RequestWrittenByHandWithABadValue_ThrowsNamingIt(string? kmsKeyId, int? retentionDays, string named)
    {
        var request = new QueuedRequest { KmsKeyId = kmsKeyId, BackupRetentionDays = retentionDays };

        var error = Assert.ThrowsAny<ArgumentException>(() => QueuedJobOptions.Read(request));

        Assert.Contains(named, UserMessages.Of(error), StringComparison.Ordinal);
    }
}

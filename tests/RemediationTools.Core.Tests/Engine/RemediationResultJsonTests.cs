using RemediationTools.Core.Results;

namespace RemediationTools.Core.Tests.Engine;

public class RemediationResultJsonTests
{
    [Fact]
    public void Serialize_FullResult_RoundTripsEveryField()
    {
        var result = new RemediationResult
        {
            FindingId = "f-1",
            JobId = "security-group-close-port-5432",
            RuleId = "5c8c25f07a550e1fb6560bc6",
            AccountId = "123456789012",
            Region = "us-east-1",
            ResourceId = "sg-1",
            Status = RemediationStatus.Remediated,
            Reason = "done",
            ErrorCode = "X",
            MissingIamActions = new[] { "ec2:RevokeSecurityGroupIngress" },
            Actions = new[] { new RemediationAction { Operation = "ec2:RevokeSecurityGroupIngress", Target = "sg-1", Description = "d", Before = "tcp 5432 from 0.0.0.0/0" } },
            Notes = new[] { "n" },
            UndoRecord = new RemediationUndoRecord { JobId = "j", AccountId = "123456789012", Region = "us-east-1", ResourceId = "sg-1", RecordedAt = DateTimeOffset.UnixEpoch, Data = "{\"a\":1}" },
            DryRun = true,
            IsUndo = true,
            StartedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Elapsed = TimeSpan.FromMilliseconds(1234),
        };

        var json = RemediationJson.Serialize(result);
        var back = RemediationJson.Deserialize<RemediationResult>(json);

        Assert.Contains("\"Status\":\"Remediated\"", json, StringComparison.Ordinal);
        Assert.Equal(json, RemediationJson.Serialize(back));
        Assert.Equal(result.Elapsed, back.Elapsed);
        Assert.Contains("\"Duration\":\"00:00:01.2340000\"", json, StringComparison.Ordinal);
        Assert.Equal("tcp 5432 from 0.0.0.0/0", back.Actions[0].Before);
        Assert.Equal("{\"a\":1}", back.UndoRecord!.Data);
    }

    [Fact]
    public void Serialize_ReadOnlyResultData_RoundTripsTheBuckets()
    {
        var result = new RemediationResult
        {
            JobId = "s3-list-buckets",
            Status = RemediationStatus.AlreadyCompliant,
            Data = new RemediationResultData
            {
                Buckets = new[] { new RemediationBucketInfo { Name = "logs", Region = "eu-west-1", CreationDate = new DateTimeOffset(2020, 1, 2, 0, 0, 0, TimeSpan.Zero) } },
            },
        };

        var back = RemediationJson.Deserialize<RemediationResult>(RemediationJson.Serialize(result));

        var bucket = Assert.Single(back.Data!.Buckets);
        Assert.Equal(("logs", "eu-west-1"), (bucket.Name, bucket.Region));
        Assert.Equal(result.Data.Buckets[0].CreationDate, bucket.CreationDate);
    }
}

using RemediationTools.Core.Results;

namespace RemediationTools.Core.Tests.Results;

public class RemediationListTests
{
    [Fact]
    public void ToString_Actions_OperationTargetBeforeAfterJoinedWithNoneForMissingSides()
    {
        var result = new RemediationResult
        {
            Actions = new[]
            {
                new RemediationAction { Operation = "ec2:RevokeSecurityGroupIngress", Target = "sg-1", Before = "tcp 22 from 0.0.0.0/0" },
                new RemediationAction { Operation = "ec2:AuthorizeSecurityGroupIngress", Target = "sg-1", Before = string.Empty, After = "tcp 22 from 10.0.0.0/8" },
            },
        };

        Assert.Equal(
            "ec2:RevokeSecurityGroupIngress sg-1: tcp 22 from 0.0.0.0/0 -> (none); ec2:AuthorizeSecurityGroupIngress sg-1: (none) -> tcp 22 from 10.0.0.0/8",
            result.Actions.ToString());
        Assert.IsType<RemediationList<RemediationAction>>(result.Actions);
    }

    [Fact]
    public void Setters_NullOrArray_StoredAsReadableListsInOrder()
    {
        var result = new RemediationResult { MissingIamActions = null!, Notes = new List<string> { "b", "a" } };
        var run = new RemediationRun { LogLines = new[] { "one", "two" } };

        Assert.Empty(result.MissingIamActions);
        Assert.Equal(string.Empty, result.MissingIamActions.ToString());
        Assert.Equal("b; a", result.Notes.ToString());
        Assert.Equal(new[] { "one", "two" }, run.LogLines);
        Assert.Equal("one; two", run.LogLines.ToString());
    }

    [Fact]
    public void Json_Lists_RoundTripAsArraysAndComeBackReadable()
    {
        var json = RemediationJson.Serialize(new RemediationResult { MissingIamActions = new[] { "s3:PutBucketAcl" } });
        var back = RemediationJson.Deserialize<RemediationResult>(json);

        Assert.Contains("\"MissingIamActions\":[\"s3:PutBucketAcl\"]", json, StringComparison.Ordinal);
        Assert.Equal("s3:PutBucketAcl", back.MissingIamActions.ToString());
    }

    [Theory]
    [InlineData("00:00:01.2340000", 1234)]
    [InlineData("00:00:01.234", 1234)]
    [InlineData("", 0)]
    public void Duration_TimeSpanText_ReadAndWrittenInConstantFormat(string text, int milliseconds)
    {
        var result = new RemediationResult { Duration = text };

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), result.Elapsed);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds).ToString("c", System.Globalization.CultureInfo.InvariantCulture), result.Duration);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-00:00:01")]
    public void Duration_NotADuration_FormatExceptionNamingTheValue(string text)
    {
        var error = Assert.Throws<FormatException>(() => new RemediationWorkerInfo { HeartbeatInterval = text });

        Assert.Contains("'" + text + "'", error.Message, StringComparison.Ordinal);
        Assert.Contains("HeartbeatInterval", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ResultWithBadDuration_InvalidDataNamingTheSourceAndValue()
    {
        var error = Assert.Throws<InvalidDataException>(() => RemediationResultFile.Parse("[{\"Status\":\"Remediated\",\"Duration\":\"later\"}]", "run.json"));

        Assert.StartsWith("run.json item 0: 'later' is not a duration", error.Message, StringComparison.Ordinal);
    }
}

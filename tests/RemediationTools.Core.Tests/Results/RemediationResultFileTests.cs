using RemediationTools.Core.Results;

namespace RemediationTools.Core.Tests.Results;

public sealed class RemediationResultFileTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "rt-results-" + Guid.NewGuid().ToString("N"));

    public RemediationResultFileTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static RemediationResult Result(string resource) => new()
    {
        FindingId = "f-" + resource,
        JobId = "security-group-close-port-5432",
        AccountId = "123456789012",
        Region = "us-east-1",
        ResourceId = resource,
        Status = RemediationStatus.Remediated,
        Actions = new[] { new RemediationAction { Operation = "ec2:RevokeSecurityGroupIngress", Target = resource, Before = "tcp 5432 from 0.0.0.0/0" } },
        UndoRecord = new RemediationUndoRecord { JobId = "security-group-close-port-5432", AccountId = "123456789012", Region = "us-east-1", ResourceId = resource, Data = "{\"GroupId\":\"" + resource + "\"}" },
        Elapsed = TimeSpan.FromMilliseconds(1234),
        StartedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
    };

    [Fact]
    public void WriteThenRead_RoundTripsEveryField()
    {
        var path = Path.Combine(directory, "run.json");

        RemediationResultFile.Write(path, new[] { Result("sg-1"), Result("sg-2") }, append: false);
        var read = RemediationResultFile.Read(path);

        Assert.Equal(new[] { "sg-1", "sg-2" }, read.Select(r => r.ResourceId));
        Assert.Equal(RemediationStatus.Remediated, read[0].Status);
        Assert.Equal("tcp 5432 from 0.0.0.0/0", read[0].Actions[0].Before);
        Assert.Equal("{\"GroupId\":\"sg-1\"}", read[0].UndoRecord!.Data);
        Assert.Equal(TimeSpan.FromMilliseconds(1234), read[0].Elapsed);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), read[0].StartedAt);
        Assert.Empty(Directory.GetFiles(directory, "*.tmp"));
    }

    [Fact]
    public void Write_Append_KeepsEarlierResultsFirst()
    {
        var path = Path.Combine(directory, "run.json");
        RemediationResultFile.Write(path, new[] { Result("sg-1") }, append: false);

        RemediationResultFile.Write(path, new[] { Result("sg-2") }, append: true);

        Assert.Equal(new[] { "sg-1", "sg-2" }, RemediationResultFile.Read(path).Select(r => r.ResourceId));
    }

    [Fact]
    public void Write_NoAppend_ReplacesFile()
    {
        var path = Path.Combine(directory, "run.json");
        RemediationResultFile.Write(path, new[] { Result("sg-1") }, append: false);

        RemediationResultFile.Write(path, new[] { Result("sg-2") }, append: false);

        Assert.Equal(new[] { "sg-2" }, RemediationResultFile.Read(path).Select(r => r.ResourceId));
    }

    [Fact]
    public void Parse_SingleObject_OneResult()
    {
        var json = RemediationJson.Serialize(Result("sg-9"));

        Assert.Equal("sg-9", Assert.Single(RemediationResultFile.Parse(json, "input")).ResourceId);
    }

    [Theory]
    [InlineData("", "run.json is empty")]
    [InlineData("{not json", "run.json is not valid JSON")]
    [InlineData("42", "run.json holds a JSON number")]
    [InlineData("[{\"ResourceId\":\"sg-1\"}]", "run.json item 0 has no Status")]
    [InlineData("[{\"Status\":\"Remediated\",\"UndoRecord\":{\"JobId\":\"\"}}]", "run.json item 0 has an UndoRecord without JobId")]
    public void Parse_BadInput_ErrorNamesSourceAndProblem(string json, string expected)
    {
        var ex = Assert.Throws<InvalidDataException>(() => RemediationResultFile.Parse(json, "run.json"));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }
}

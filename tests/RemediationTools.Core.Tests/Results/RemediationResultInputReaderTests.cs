using RemediationTools.Core.Results;

namespace RemediationTools.Core.Tests.Results;

public class RemediationResultInputReaderTests
{
    private static RemediationResult Changed(string resource) => new()
    {
        FindingId = "f-" + resource,
        JobId = "security-group-close-port-5432",
        Status = RemediationStatus.Remediated,
        AccountId = "123456789012",
        Region = "us-east-1",
        ResourceId = resource,
        UndoRecord = new RemediationUndoRecord { JobId = "security-group-close-port-5432", AccountId = "123456789012", Region = "us-east-1", ResourceId = resource, Data = "{\"GroupId\":\"" + resource + "\"}" },
    };

    [Fact]
    public void AddText_LinesOfAnExportedFile_ReadEveryResult()
    {
        var reader = new RemediationResultInputReader();
        string json = RemediationResultFile.ToJson(new[] { Changed("sg-1"), Changed("sg-2") });

        var errors = json.Split('\n').SelectMany(line => reader.AddText(line.TrimEnd('\r'))).ToList();

        Assert.Empty(errors);
        Assert.Empty(reader.Complete());
        Assert.Equal(new[] { "sg-1", "sg-2" }, reader.Results.Select(r => r.ResourceId));
    }

    [Fact]
    public void Complete_DocumentNeverClosed_IsOneInvalidErrorWithTheHint()
    {
        var reader = new RemediationResultInputReader();
        string[] lines = RemediationResultFile.ToJson(new[] { Changed("sg-1") }).Split('\n');

        Assert.Empty(lines.Take(3).SelectMany(line => reader.AddText(line)));
        ResultInputError error = Assert.Single(reader.Complete());

        Assert.Equal(ResultInputErrorKind.Invalid, error.Kind);
        Assert.Contains("Import-RemediationResult", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_ResultWithoutUndoRecord_IsAnErrorNamingTheFinding()
    {
        var reader = new RemediationResultInputReader();
        var compliant = new RemediationResult { FindingId = "f-9", JobId = "security-group-close-port-5432", Status = RemediationStatus.AlreadyCompliant, ResourceId = "sg-9" };

        ResultInputError error = Assert.Single(reader.Add(() => new[] { Changed("sg-1"), compliant }, "input"));

        Assert.Equal(ResultInputErrorKind.NoUndoRecord, error.Kind);
        Assert.Contains("'f-9'", error.Message, StringComparison.Ordinal);
        Assert.Same(compliant, error.Target);
        Assert.Equal("sg-1", Assert.Single(reader.Results).ResourceId);
    }

    [Fact]
    public void Add_ReaderThrowsInvalidData_IsAnInvalidErrorTargetingTheInput()
    {
        var reader = new RemediationResultInputReader();

        ResultInputError error = Assert.Single(reader.Add(() => throw new InvalidDataException("not a result"), "r.json"));

        Assert.Equal(ResultInputErrorKind.Invalid, error.Kind);
        Assert.Equal("r.json", error.Target);
    }
}

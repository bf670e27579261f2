using System.Text.Json;
using RemediationTools.Core.Findings;

namespace RemediationTools.Core.Tests.Findings;

public class FindingInputReaderTests
{
    private static Dictionary<string, object?> Plain(string resource, string? region = "us-east-1", string? findingId = null)
    {
        var plain = new Dictionary<string, object?> { ["Job"] = "security-group-close-port-5432", ["ResourceId"] = resource, ["AccountId"] = "123456789012" };
        if (region is not null)
        {
            plain["Region"] = region;
        }

        if (findingId is not null)
        {
            plain["FindingId"] = findingId;
        }

        return plain;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static string Json(object value, bool indented = false) => indented ? JsonSerializer.Serialize(value, Indented) : JsonSerializer.Serialize(value);

    [Fact]
    public void AddText_JsonLines_ReadsOneFindingPerLine()
    {
        var reader = new FindingInputReader();

        Assert.Empty(reader.AddText(Json(Plain("sg-1")), "the pipeline"));
        Assert.Empty(reader.AddText(Json(Plain("sg-2")), "the pipeline"));
        Assert.Empty(reader.Complete());

        Assert.Equal(new[] { "sg-1", "sg-2" }, reader.Findings.Select(f => f.ResourceId));
    }

    [Fact]
    public void AddText_LinesOfAPrettyPrintedArray_ReadsTheWholeDocument()
    {
        var reader = new FindingInputReader();
        string[] lines = Json(new[] { Plain("sg-1"), Plain("sg-2") }, indented: true).Split('\n');

        var errors = lines.SelectMany(line => reader.AddText(line.TrimEnd('\r'), "the pipeline")).ToList();

        Assert.Empty(errors);
        Assert.Empty(reader.Complete());
        Assert.Equal(new[] { "sg-1", "sg-2" }, reader.Findings.Select(f => f.ResourceId));
    }

    [Fact]
    public void Complete_DocumentNeverClosed_IsOneErrorWithTheRawHint()
    {
        var reader = new FindingInputReader();
        string[] lines = Json(Plain("sg-1"), indented: true).Split('\n');

        var errors = lines.Take(lines.Length - 1).SelectMany(line => reader.AddText(line, "the pipeline")).ToList();
        var final = reader.Complete();

        Assert.Empty(errors);
        FindingInputError error = Assert.Single(final);
        Assert.Contains("Get-Content -Raw", error.Message, StringComparison.Ordinal);
        Assert.Empty(reader.Findings);
    }

    [Fact]
    public void AddFile_JsonLinesAndPrettyPrinted_ReadEveryFinding()
    {
        var reader = new FindingInputReader();

        Assert.Empty(reader.AddFile(Json(Plain("sg-1")) + "\r\n" + Json(Plain("sg-2")) + "\r\n", "a.jsonl"));
        Assert.Empty(reader.AddFile(Json(Plain("sg-3"), indented: true), "b.json"));

        Assert.Equal(new[] { "sg-1", "sg-2", "sg-3" }, reader.Findings.Select(f => f.ResourceId));
    }

    [Fact]
    public void AddFile_Unfinished_NamesTheFile()
    {
        var reader = new FindingInputReader();

        FindingInputError error = Assert.Single(reader.AddFile("{\n  \"Job\": \"x\",", "broken.json"));

        Assert.Contains("broken.json", error.Message, StringComparison.Ordinal);
        Assert.Equal("broken.json", error.Target);
    }

    [Fact]
    public void AddObject_DictionaryListAndSecurityHubEnvelope_AreRead()
    {
        var reader = new FindingInputReader();

        Assert.Empty(reader.AddObject(Plain("sg-1"), "the pipeline"));
        Assert.Empty(reader.AddObject(new List<object?> { Plain("sg-2"), Json(Plain("sg-3")) }, "the pipeline"));

        Assert.Equal(new[] { "sg-1", "sg-2", "sg-3" }, reader.Findings.Select(f => f.ResourceId));
    }

    [Fact]
    public void AddObject_FindingWithoutRegion_TakesTheDefaultRegion()
    {
        var reader = new FindingInputReader(defaultRegion: "eu-west-1");

        Assert.Empty(reader.AddObject(Plain("sg-1", region: null), "the pipeline"));
        Assert.Empty(reader.AddObject(Plain("sg-2", region: "us-west-2"), "the pipeline"));

        Assert.Equal(new[] { "eu-west-1", "us-west-2" }, reader.Findings.Select(f => f.Region));
    }

    [Fact]
    public void AddObject_FindingWithoutRegionAndNoDefault_NamesTheFindingAndRegion()
    {
        var reader = new FindingInputReader();
        var input = Plain("sg-1", region: null, findingId: "f-42");

        FindingInputError error = Assert.Single(reader.AddObject(input, "the pipeline"));

        Assert.Equal("f-42", error.FindingId);
        Assert.Contains("Finding 'f-42'", error.Message, StringComparison.Ordinal);
        Assert.Contains("-Region", error.Message, StringComparison.Ordinal);
        Assert.Same(input, error.Target);
    }

    [Fact]
    public void AddObject_BadDefaultRegion_NamesTheValue()
    {
        var reader = new FindingInputReader(defaultRegion: "moon-1");

        FindingInputError error = Assert.Single(reader.AddObject(Plain("sg-1", region: null), "the pipeline"));

        Assert.Contains("'moon-1'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddText_OneBadFindingInAnArray_OnlyThatOneFails()
    {
        var reader = new FindingInputReader();
        var bad = Plain("sg-2", findingId: "f-bad");
        bad["AccountId"] = "12345";

        FindingInputError error = Assert.Single(reader.AddText(Json(new[] { Plain("sg-1"), bad }), "the pipeline"));

        Assert.Contains("'12345'", error.Message, StringComparison.Ordinal);
        Assert.Equal("f-bad", error.FindingId);
        Assert.Equal("sg-1", Assert.Single(reader.Findings).ResourceId);
    }

    [Fact]
    public void AddText_NotJson_IsAnErrorTargetingTheInput()
    {
        var reader = new FindingInputReader();

        FindingInputError error = Assert.Single(reader.AddText("/findings/a.json", "the pipeline", "/findings/a.json"));

        Assert.Equal("/findings/a.json", error.Target);
        Assert.Empty(reader.Findings);
    }

    [Fact]
    public void AddResource_ArnRegionUnlessRegionGiven()
    {
        var reader = new FindingInputReader();

        Assert.Null(reader.AddResource("s3-remove-public-access", "arn:aws:sqs:eu-west-1:123456789012:q", null, null, "us-east-1"));
        Assert.Null(reader.AddResource("s3-remove-public-access", "bucket-a", "123456789012", null, "us-east-1"));
        Assert.Null(reader.AddResource("s3-remove-public-access", "arn:aws:sqs:eu-west-1:123456789012:q", null, "us-west-2", "us-east-1"));

        Assert.Equal(new[] { "eu-west-1", "us-east-1", "us-west-2" }, reader.Findings.Select(f => f.Region));
    }

    [Fact]
    public void AddResource_BadRegion_NamesTheResourceAndRegion()
    {
        var reader = new FindingInputReader();

        FindingInputError? error = reader.AddResource("s3-remove-public-access", "bucket-a", null, "nowhere", null);

        Assert.NotNull(error);
        Assert.Contains("'bucket-a'", error!.Message, StringComparison.Ordinal);
        Assert.Contains("'nowhere'", error.Message, StringComparison.Ordinal);
    }
}

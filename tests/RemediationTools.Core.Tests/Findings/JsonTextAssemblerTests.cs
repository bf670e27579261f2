using RemediationTools.Core.Findings;

namespace RemediationTools.Core.Tests.Findings;

public class JsonTextAssemblerTests
{
    [Fact]
    public void Add_WholeDocumentOnOneLine_ReturnsItAtOnce()
    {
        var assembler = new JsonTextAssembler();

        Assert.Equal("{\"a\":1}", assembler.Add("{\"a\":1}"));
        Assert.Equal(0, assembler.PendingPieces);
    }

    [Fact]
    public void Add_PrettyPrintedLines_ReturnsTheDocumentWithTheLastLine()
    {
        var assembler = new JsonTextAssembler();
        string[] lines = { "[", "  {", "    \"a\": \"}\",", "    \"b\": [1, 2]", "  }", "]" };

        string?[] returned = lines.Select(assembler.Add).ToArray();

        Assert.All(returned.Take(lines.Length - 1), Assert.Null);
        Assert.Equal(string.Join("\n", lines), returned[^1]);
    }

    [Fact]
    public void Add_BracketsAndEscapedQuotesInStrings_DoNotCount()
    {
        var assembler = new JsonTextAssembler();

        Assert.Null(assembler.Add("{ \"text\": \"a \\\" { [ quote\","));
        Assert.NotNull(assembler.Add("  \"n\": 1 }"));
    }

    [Fact]
    public void Add_BlankLinesBetweenDocuments_AreSkipped()
    {
        var assembler = new JsonTextAssembler();

        Assert.Null(assembler.Add("   "));
        Assert.Equal(0, assembler.PendingPieces);
        Assert.Equal("{}", assembler.Add("{}"));
    }

    [Fact]
    public void Add_TextThatIsNoJson_ReturnsItForTheParserToReport()
    {
        var assembler = new JsonTextAssembler();

        Assert.Equal("/findings/a.json", assembler.Add("/findings/a.json"));
        Assert.Equal("]", assembler.Add("]"));
    }

    [Fact]
    public void TakePending_UnfinishedDocument_ReturnsItsLinesAndStartsOver()
    {
        var assembler = new JsonTextAssembler();
        assembler.Add("{");
        assembler.Add("  \"a\": 1,");

        Assert.Equal(2, assembler.PendingPieces);
        Assert.Equal("{\n  \"a\": 1,", assembler.TakePending());
        Assert.Null(assembler.TakePending());
        Assert.Equal("{}", assembler.Add("{}"));
    }
}

using System.Text.Json.Nodes;
using Amazon.SQS.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs.S3;
using RemediationTools.Core.Jobs.Sqs;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Tests.Jobs.Sqs;

/// <summary>aws-sqs-queue-publicly-accessible against the sandbox: every principal form, Sids, conditions, emptied policies, undo.</summary>
public sealed class SqsQueuePubliclyAccessibleSandboxTests : IDisposable
{
    private const string Region = "eu-west-1";
    private const string RuleId = "09639b9d-98e8-493b-b8a4-916775a7dea9";
    private readonly SandboxServer server = SandboxEc2.StartForJobs();
    private readonly SandboxAccount account;
    private readonly AwsClientFactory factory;
    private readonly RemediationEngine engine;

    public SqsQueuePubliclyAccessibleSandboxTests()
    {
        account = SandboxEc2.JobAccount(server);
        factory = SandboxEc2.JobFactory(server, account, Region);
        engine = new RemediationEngine(factory);
    }

    public void Dispose()
    {
        factory.Dispose();
        server.Dispose();
    }

    private string Arn(string name) => "arn:aws:sqs:" + Region + ":" + account.AccountId + ":" + name;

    private string PublicStatement(string name, string principal, string? sid = null) =>
        "{" + (sid is null ? string.Empty : "\"Sid\":\"" + sid + "\",") + "\"Effect\":\"Allow\",\"Principal\":" + principal + ",\"Action\":\"sqs:SendMessage\",\"Resource\":\"" + Arn(name) + "\"}";

    private string ConditionalStatement(string name) =>
        "{\"Sid\":\"FromTopic\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"" + Arn(name) + "\",\"Condition\":{\"ArnEquals\":{\"aws:SourceArn\":\"arn:aws:sns:" + Region + ":" + account.AccountId + ":alerts\"}}}";

    private string PartnerStatement(string name) =>
        "{\"Sid\":\"Partner\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::444455556666:root\"},\"Action\":\"sqs:ReceiveMessage\",\"Resource\":\"" + Arn(name) + "\"}";

    private static string Policy(params string[] statements) =>
        "{\"Version\":\"2012-10-17\",\"Id\":\"QueuePolicy\",\"Statement\":[" + string.Join(",", statements) + "]}";

    private Finding Finding(string resourceId, IReadOnlyDictionary<string, string>? tags = null) => new()
    {
        FindingId = "f-" + resourceId,
        RuleId = RuleId,
        AccountId = account.AccountId,
        Region = Region,
        ResourceId = resourceId,
        Tags = tags ?? new Dictionary<string, string>(),
    };

    private JsonObject? StoredPolicy(string name) => server.QueuePolicy(account.AccountId, Region, name) is { } text ? JsonNode.Parse(text)!.AsObject() : null;

    private int Calls(string action) => server.CallCounts.TryGetValue(action, out var count) ? count : 0;

    [Fact]
    public async Task Run_PublicStatementWithoutSidBesideAConditionalOne_RemovesOnlyThePublicOneAndReportsTheOther()
    {
        server.AddQueue(account.AccountId, Region, "orders", Policy(PublicStatement("orders", "\"*\""), ConditionalStatement("orders"), PartnerStatement("orders")));

        var result = await engine.RunAsync(Finding("orders"), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        var policy = StoredPolicy("orders")!;
        Assert.Equal("2012-10-17", policy["Version"]!.GetValue<string>());
        Assert.Equal("QueuePolicy", policy["Id"]!.GetValue<string>());
        Assert.Equal(new[] { "FromTopic", "Partner" }, policy["Statement"]!.AsArray().Select(s => s!["Sid"]!.GetValue<string>()));
        Assert.Contains(result.Notes, n => n.Contains("conditional public statement stays", StringComparison.Ordinal) && n.Contains("FromTopic", StringComparison.Ordinal));
        var action = Assert.Single(result.Actions);
        Assert.Equal("sqs:SetQueueAttributes", action.Operation);
        Assert.DoesNotContain("Sid", action.Before!, StringComparison.Ordinal);
        Assert.Equal(1, Calls("sqs:GetQueueUrl"));

        var second = await engine.RunAsync(Finding("orders"), new RemediationOptions());
        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
    }

    [Theory]
    [InlineData("\"*\"")]
    [InlineData("{\"AWS\":\"*\"}")]
    [InlineData("{\"AWS\":[\"*\"]}")]
    [InlineData("{\"AWS\":[\"arn:aws:iam::444455556666:root\",\"*\"]}")]
    public async Task Run_EachPublicPrincipalForm_Removed(string principal)
    {
        server.AddQueue(account.AccountId, Region, "jobs", Policy(PartnerStatement("jobs"), PublicStatement("jobs", principal, "Open")));

        var result = await engine.RunAsync(Finding("jobs"), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        var statement = Assert.Single(StoredPolicy("jobs")!["Statement"]!.AsArray());
        Assert.Equal("Partner", statement!["Sid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_OnlyPublicStatements_PolicyRemovedAndUndoPutsItBack()
    {
        var original = Policy(PublicStatement("open", "\"*\""), PublicStatement("open", "{\"AWS\":[\"*\"]}", "Second"));
        var url = server.AddQueue(account.AccountId, Region, "open", original);

        var result = await engine.RunAsync(Finding(url), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        Assert.Null(StoredPolicy("open"));
        Assert.Equal(2, result.Actions.Count);
        Assert.Equal(0, Calls("sqs:GetQueueUrl"));

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.Reason);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(original), StoredPolicy("open")));
    }

    [Fact]
    public async Task Undo_AfterAnotherStatementWasAdded_PutsTheRemovedStatementBackAndKeepsTheNewOne()
    {
        server.AddQueue(account.AccountId, Region, "mixed", Policy(PublicStatement("mixed", "{\"AWS\":\"*\"}", "Open"), PartnerStatement("mixed")));
        var result = await engine.RunAsync(Finding("mixed"), new RemediationOptions());
        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        var sqs = (await factory.ForAccountAsync(null, CancellationToken.None)).Sqs(Region);
        var url = (await sqs.GetQueueUrlAsync("mixed")).QueueUrl;
        await sqs.SetQueueAttributesAsync(new SetQueueAttributesRequest { QueueUrl = url, Attributes = new Dictionary<string, string> { ["Policy"] = Policy(PartnerStatement("mixed"), ConditionalStatement("mixed")) } });

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.Reason);
        Assert.Equal(new[] { "Partner", "FromTopic", "Open" }, StoredPolicy("mixed")!["Statement"]!.AsArray().Select(s => s!["Sid"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Run_NoPolicy_CompliantWithoutAWrite()
    {
        server.AddQueue(account.AccountId, Region, "plain");

        var result = await engine.RunAsync(Finding(Arn("plain")), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(0, Calls("sqs:SetQueueAttributes"));
    }

    [Fact]
    public async Task Run_OnlyConditionalPublicStatement_CompliantAndReported()
    {
        server.AddQueue(account.AccountId, Region, "topic", Policy(ConditionalStatement("topic")));

        var result = await engine.RunAsync(Finding("topic"), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Contains(result.Notes, n => n.Contains("FromTopic", StringComparison.Ordinal));
        Assert.Equal(0, Calls("sqs:SetQueueAttributes"));
    }

    [Fact]
    public async Task Run_SkipTagOnQueue_SkippedUnchanged()
    {
        var policy = Policy(PublicStatement("kept", "\"*\""));
        server.AddQueue(account.AccountId, Region, "kept", policy, new Dictionary<string, string> { ["remediation:skip"] = "True" });

        var result = await engine.RunAsync(Finding("kept"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Equal(1, Calls("sqs:ListQueueTags"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(policy), StoredPolicy("kept")));
    }

    [Fact]
    public async Task Apply_PolicyChangedAfterPlan_FailsWithStalePlanCodeAndWritesNothing()
    {
        var url = server.AddQueue(account.AccountId, Region, "raced", Policy(PublicStatement("raced", "\"*\"")));
        var plan = await engine.PlanAsync(Finding("raced"), new RemediationOptions());
        var sqs = (await factory.ForAccountAsync(null, CancellationToken.None)).Sqs(Region);
        var other = Policy(PartnerStatement("raced"), PublicStatement("raced", "\"*\"", "New"));
        await sqs.SetQueueAttributesAsync(new SetQueueAttributesRequest { QueueUrl = url, Attributes = new Dictionary<string, string> { ["Policy"] = other } });

        var result = await engine.ApplyAsync(plan);

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(WholeDocumentGuard.StalePlanErrorCode, result.ErrorCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(other), StoredPolicy("raced")));
    }

    [Fact]
    public async Task Run_UnknownQueue_FailedWithSqsErrorCode()
    {
        var result = await engine.RunAsync(Finding("missing-queue"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        // SQS answers QueueDoesNotExist with the query-compatible code AWSSDK.SQS reports (x-amzn-query-error).
        Assert.Equal("AWS.SimpleQueueService.NonExistentQueue", result.ErrorCode);
    }

    [Fact]
    public async Task Run_ObjectIdNotAQueue_FailedNamingIt()
    {
        var result = await engine.RunAsync(Finding("not a queue!"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Contains("'not a queue!'", result.Reason, StringComparison.Ordinal);
    }
}

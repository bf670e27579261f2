using RemediationTools.Core.Roles;

namespace RemediationTools.Core.Tests.Roles;

/// <summary>The worker role's AWS-store statements: its groups' queues, its partitions of the table, nothing else.</summary>
public sealed class WorkerGroupStorePolicyTests
{
    private const string Account = "111111111111";

    [Fact]
    public void Statements_TwoGroups_TheirQueuesAndTheTableLimitedToTheirPartitions()
    {
        var statements = WorkerGroupStorePolicy.Statements(new[] { "Prod", "dev" }, "Sec", Account, "eu-west-1");

        var queues = Assert.Single(statements, s => s.Sid == WorkerGroupStorePolicy.QueueStatementSid);
        Assert.Equal(
            new[]
            {
                "arn:aws:sqs:eu-west-1:111111111111:Sec-dev",
                "arn:aws:sqs:eu-west-1:111111111111:Sec-dev-dlq",
                "arn:aws:sqs:eu-west-1:111111111111:Sec-prod",
                "arn:aws:sqs:eu-west-1:111111111111:Sec-prod-dlq",
            },
            queues.Resources);
        Assert.Null(queues.Condition);
        Assert.DoesNotContain(queues.Actions, a => a is "sqs:CreateQueue" or "sqs:DeleteQueue" or "sqs:SetQueueAttributes" or "sqs:*");
        var table = Assert.Single(statements, s => s.Sid == WorkerGroupStorePolicy.TableStatementSid);
        Assert.Equal(new[] { "arn:aws:dynamodb:eu-west-1:111111111111:table/Sec" }, table.Resources);
        Assert.Equal("ForAllValues:StringEquals", table.Condition!.Operator);
        Assert.Equal("dynamodb:LeadingKeys", table.Condition.Key);
        Assert.Equal(new[] { "dev", "prod" }, table.Condition.Values);
        Assert.DoesNotContain(table.Actions, a => a is "dynamodb:Scan" or "dynamodb:CreateTable" or "dynamodb:DeleteTable" or "dynamodb:*");
        var secrets = Assert.Single(statements, s => s.Sid == WorkerGroupStorePolicy.SecretStatementSid);
        Assert.Equal(new[] { "ssm:GetParameter" }, secrets.Actions);
        Assert.Equal(
            new[] { "arn:aws:ssm:eu-west-1:111111111111:parameter/remediation/dev/client-secret", "arn:aws:ssm:eu-west-1:111111111111:parameter/remediation/prod/client-secret" },
            secrets.Resources.OrderBy(r => r, StringComparer.Ordinal));
        Assert.Equal(3, statements.Count);
    }

    [Fact]
    public void Render_TableStatement_WritesTheConditionAsIamDoes()
    {
        var builder = new IamPolicyBuilder();
        foreach (var statement in WorkerGroupStorePolicy.Statements(new[] { "prod" }, null, Account, "us-gov-west-1"))
        {
            builder.Add(statement);
        }

        var json = Assert.Single(builder.Build()).Json;

        Assert.Contains("\"Resource\":\"arn:aws-us-gov:dynamodb:us-gov-west-1:111111111111:table/RemediationTools\",\"Condition\":{\"ForAllValues:StringEquals\":{\"dynamodb:LeadingKeys\":\"prod\"}}", json, StringComparison.Ordinal);
        Assert.Contains("arn:aws-us-gov:sqs:us-gov-west-1:111111111111:RemediationTools-prod-dlq", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Extend_RoleServesProd_AddsDevAndKeepsProd()
    {
        var tables = new[] { "arn:aws:dynamodb:us-east-1:111111111111:table/RemediationTools" };
        var queues = new[] { "arn:aws:sqs:us-east-1:111111111111:RemediationTools-prod", "arn:aws:sqs:us-east-1:111111111111:RemediationTools-prod-dlq" };

        var statements = WorkerGroupStorePolicy.Extend(tables, queues, new[] { "dev" }, null, Account, "aws", "us-east-1");
        var kept = WorkerGroupStorePolicy.Extend(tables, queues, Array.Empty<string>(), null, Account, "aws", "us-east-1");

        Assert.Equal(new[] { "dev", "prod" }, statements.Single(s => s.Sid == WorkerGroupStorePolicy.TableStatementSid).Condition!.Values);
        Assert.Equal(new[] { "prod" }, kept.Single(s => s.Sid == WorkerGroupStorePolicy.TableStatementSid).Condition!.Values);
        Assert.Empty(WorkerGroupStorePolicy.Extend(Array.Empty<string>(), Array.Empty<string>(), Array.Empty<string>(), null, Account, "aws", "us-east-1"));
    }

    [Fact]
    public void Extend_AnotherInstallation_RefusedNamingBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => WorkerGroupStorePolicy.Extend(
            new[] { "arn:aws:dynamodb:us-east-1:111111111111:table/RemediationTools" }, Array.Empty<string>(), new[] { "dev" }, "Other", Account, "aws", "us-east-1"));

        Assert.Contains("aws:RemediationTools", ex.Message, StringComparison.Ordinal);
        Assert.Contains("aws:Other", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("11111111111")]
    [InlineData("abcdefghijkl")]
    public void Statements_BadAccount_RefusedNamingIt(string account)
    {
        var ex = Assert.Throws<ArgumentException>(() => WorkerGroupStorePolicy.Statements(new[] { "prod" }, null, account, "us-east-1"));

        Assert.Contains("'" + account + "'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aws", "RemediationTools")]
    [InlineData("AWS:Sec", "Sec")]
    [InlineData("local", null)]
    [InlineData("local:/tmp/x", null)]
    public void InstallationOf_StoreSelections(string store, string? expected)
        => Assert.Equal(expected, WorkerGroupStorePolicy.InstallationOf(store));
}

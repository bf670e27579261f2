using RemediationTools.Core.Results;

namespace RemediationTools.Core.Tests.Results;

public class RemediationSummaryTests
{
    private static RemediationResult Result(RemediationStatus status, string account = "123456789012") => new() { Status = status, AccountId = account };

    [Fact]
    public void Describe_OneAccount_CountsByStatusInStatusOrder()
    {
        var results = new[] { Result(RemediationStatus.Failed), Result(RemediationStatus.Remediated), Result(RemediationStatus.Remediated), Result(RemediationStatus.AlreadyCompliant) };

        Assert.Equal("4 findings: 2 Remediated, 1 AlreadyCompliant, 1 Failed", RemediationSummary.Describe(results));
    }

    [Fact]
    public void Describe_SeveralAccounts_AddsTheCountPerAccount()
    {
        var results = new[] { Result(RemediationStatus.Remediated, "210987654321"), Result(RemediationStatus.Remediated), Result(RemediationStatus.Skipped) };

        Assert.Equal("3 findings: 2 Remediated, 1 Skipped (123456789012: 2, 210987654321: 1)", RemediationSummary.Describe(results));
    }

    [Fact]
    public void Describe_OneUndo_IsSingular()
    {
        Assert.Equal("1 undo: 1 Planned", RemediationSummary.Describe(new[] { Result(RemediationStatus.Planned) }, "undo"));
    }

    [Fact]
    public void Describe_NoResults_IsNull()
    {
        Assert.Null(RemediationSummary.Describe(Array.Empty<RemediationResult>()));
    }
}

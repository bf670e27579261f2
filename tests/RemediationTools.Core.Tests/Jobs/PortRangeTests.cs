using RemediationTools.Core.Jobs.Ec2;

namespace RemediationTools.Core.Tests.Jobs;

public class PortRangeTests
{
    [Fact]
    public void Without_ExactPort_LeavesNothing()
    {
        Assert.Empty(new PortRange(5432, 5432).Without(new[] { 5432 }));
    }

    [Fact]
    public void Without_PortInMiddle_LeavesBothSides()
    {
        var rest = new PortRange(5000, 6000).Without(new[] { 5432 });

        Assert.Equal(new[] { new PortRange(5000, 5431), new PortRange(5433, 6000) }, rest);
    }

    [Fact]
    public void Without_PortAtLowerEnd_LeavesUpperPart()
    {
        Assert.Equal(new[] { new PortRange(5433, 5500) }, new PortRange(5432, 5500).Without(new[] { 5432 }));
    }

    [Fact]
    public void Without_PortAtUpperEnd_LeavesLowerPart()
    {
        Assert.Equal(new[] { new PortRange(5400, 5431) }, new PortRange(5400, 5432).Without(new[] { 5432 }));
    }

    [Fact]
    public void Without_PortOutsideRange_LeavesRangeUnchanged()
    {
        Assert.Equal(new[] { new PortRange(80, 443) }, new PortRange(80, 443).Without(new[] { 5432 }));
    }

    [Fact]
    public void Without_TwoPorts_LeavesThreeParts()
    {
        var rest = new PortRange(9000, 9400).Without(new[] { 9300, 9200 });

        Assert.Equal(new[] { new PortRange(9000, 9199), new PortRange(9201, 9299), new PortRange(9301, 9400) }, rest);
    }

    [Fact]
    public void Without_AdjacentPorts_LeavesNoEmptyRangeBetween()
    {
        var rest = new PortRange(10, 20).Without(new[] { 15, 16 });

        Assert.Equal(new[] { new PortRange(10, 14), new PortRange(17, 20) }, rest);
    }

    [Fact]
    public void Without_AllPortsMinusFirstAndLast_LeavesInside()
    {
        Assert.Equal(new[] { new PortRange(1, 65534) }, PortRange.All.Without(new[] { 0, 65535 }));
    }

    [Fact]
    public void Constructor_InvertedRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PortRange(10, 9));
    }

    [Fact]
    public void ToString_SinglePortAndRange_ReadsNaturally()
    {
        Assert.Equal("5432", new PortRange(5432, 5432).ToString());
        Assert.Equal("0-5431", new PortRange(0, 5431).ToString());
    }
}

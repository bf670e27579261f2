namespace RemediationTools.Core.Tests;
public class PlaceholderTests { [Fact] public void Build_Works_True() => Assert.True(typeof(PlaceholderTests) != null); }

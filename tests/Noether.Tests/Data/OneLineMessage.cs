using Noether.Data;
using Xunit;

namespace Noether.Tests.Data;

/// <summary>Asserts that a data error is a one-line message containing the expected fragments.</summary>
public static class OneLineMessage
{
    public static DataException Throws(Action action, params string[] fragments)
    {
        var e = Assert.Throws<DataException>(action);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
        return e;
    }
}

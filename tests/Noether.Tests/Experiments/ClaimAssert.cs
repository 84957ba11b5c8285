using Noether.Experiments;

namespace Noether.Tests.Experiments;

/// <summary>
/// Claim checks for integration tests. A claim that does not reproduce stays in the experiment and shows
/// FAIL with its numbers; the test names it here with the reason, checks it was still measured, and
/// requires every other claim to pass.
/// </summary>
public static class ClaimAssert
{
    public static void AllPassExcept(IReadOnlyList<Claim> claims, IReadOnlyDictionary<string, string> knownNonReproductions)
    {
        foreach (var id in knownNonReproductions.Keys)
        {
            var known = Assert.Single(claims, c => c.Id == id);
            Assert.True(double.IsFinite(known.Measured), $"{id} was not measured");
        }
        foreach (var c in claims.Where(c => !knownNonReproductions.ContainsKey(c.Id)))
            Assert.True(c.Passed, $"{c.Id}: measured {c.Measured} {c.ComparisonText} {c.ThresholdText} ({c.Details})");
    }
}

namespace Noether.Experiments;

/// <summary>
/// How many paper claims and how many checks passed, counted apart: a check guards the implementation
/// (an identity, a sanity condition of the setting) and is not evidence for a paper, so the two are
/// never added into one number.
/// </summary>
public readonly record struct ClaimCounts(int Claims, int ClaimsPassed, int Checks, int ChecksPassed)
{
    public static ClaimCounts Of(IEnumerable<Claim> claims)
    {
        int c = 0, cp = 0, k = 0, kp = 0;
        foreach (var x in claims)
        {
            if (x.Kind == ClaimKind.Check) { k++; if (x.Passed) kp++; }
            else { c++; if (x.Passed) cp++; }
        }
        return new(c, cp, k, kp);
    }

    public bool AllPassed => ClaimsPassed == Claims && ChecksPassed == Checks;

    /// <summary>"5/6 paper claims, 2/2 checks passed" (the checks part only when there are checks).</summary>
    public override string ToString() =>
        $"{ClaimsPassed}/{Claims} paper claims" + (Checks > 0 ? $", {ChecksPassed}/{Checks} checks" : "") + " passed";
}

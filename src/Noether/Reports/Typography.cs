using System.Text;

namespace Noether.Reports;

/// <summary>
/// TeX-like sub- and superscripts in figure text as Unicode: "σ_k(UW)" → "σₖ(UW)", "s_{k+1}" → "sₖ₊₁",
/// "x^2" → "x²", "D_φ" → "Dᵩ" (the Greek letters with a Unicode subscript: β γ ρ φ χ). A plotting library draws plain strings, and a literal underscore reads as a typo.
/// An index is converted only when every character has a Unicode form and, without braces, when it
/// is a single character ending the word (so config keys like "sgd_batch" stay as they are).
/// </summary>
public static class Typography
{
    private const string Plain = "0123456789+-=()aehijklmnoprstuvxβγρφχ";
    private const string Sub = "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ";
    private const string SuperPlain = "0123456789+-=()in";
    private const string Super = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ";

    public static string Pretty(string? text)
    {
        if (string.IsNullOrEmpty(text) || (text.IndexOf('_') < 0 && text.IndexOf('^') < 0)) return text ?? "";
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool sub = c == '_', sup = c == '^';
            bool attached = i > 0 && (char.IsLetterOrDigit(text[i - 1]) || text[i - 1] is ')' or '|' or '‖');
            if ((sub || sup) && attached)
            {
                string from = sub ? Plain : SuperPlain, to = sub ? Sub : Super;
                string? index = null;
                int end = i;
                if (i + 1 < text.Length && text[i + 1] == '{')
                {
                    int close = text.IndexOf('}', i + 2);
                    if (close > i + 2) { index = text[(i + 2)..close]; end = close; }
                }
                else if (i + 1 < text.Length && (i + 2 == text.Length || !char.IsLetterOrDigit(text[i + 2])))
                {
                    index = text[(i + 1)..(i + 2)]; end = i + 1;
                }
                // A capital index (λ_V) takes its small letter's subscript: Unicode has no capital subscripts.
                if (index is not null && sub && !index.All(ch => from.Contains(ch)) && index.All(ch => from.Contains(char.ToLowerInvariant(ch))))
                    index = index.ToLowerInvariant();
                if (index is not null && index.All(ch => from.Contains(ch)))
                {
                    foreach (char ch in index) sb.Append(to[from.IndexOf(ch)]);
                    i = end;
                    continue;
                }
            }
            sb.Append(c);
        }
        return sb.ToString();
    }
}

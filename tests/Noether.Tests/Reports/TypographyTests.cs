using Noether.Reports;

namespace Noether.Tests.Reports;

public class TypographyTests
{
    [Theory]
    [InlineData("σ_k(UW)", "σₖ(UW)")]
    [InlineData("t_k", "tₖ")]
    [InlineData("s_{k+1} vs σ_{k+1}", "sₖ₊₁ vs σₖ₊₁")]
    [InlineData("‖v‖^2 / x^{-1}", "‖v‖² / x⁻¹")]
    [InlineData("balance.sgd_batch", "balance.sgd_batch")] // a config key stays as it is
    [InlineData("h_b h_aᵀ", "h_b h_aᵀ")]                  // no Unicode subscript b: left alone
    [InlineData("_x and x_", "_x and x_")]
    public void Tex_like_indices_become_unicode_where_every_character_has_a_form(string text, string expected) =>
        Assert.Equal(expected, Typography.Pretty(text));
}

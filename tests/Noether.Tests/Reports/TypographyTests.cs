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
    [InlineData("c=1, λ_V=0.01", "c=1, λᵥ=0.01")]                // a capital index takes its small letter's subscript
    [InlineData("heterogeneity depth D_φ", "heterogeneity depth Dᵩ")] // Greek letters with a subscript form
    public void Tex_like_indices_become_unicode_where_every_character_has_a_form(string text, string expected) =>
        Assert.Equal(expected, Typography.Pretty(text));

    [Fact]
    public void Long_category_labels_break_into_lines_that_fit_their_slot()
    {
        var labels = FigureRenderer.CategoryLabels(["c=1, λ_V=0.001", "backprop", "V and W1 at p=0.5"], axisPixels: 300);
        Assert.Equal("backprop", labels[1]);
        Assert.All(labels, l => Assert.All(l.Split('\n'), line => Assert.True(line.Length <= 12, $"'{line}' is wider than its slot")));
        Assert.Equal("c=1, λᵥ=0.001", labels[0].Replace('\n', ' '));
        Assert.Equal("short", FigureRenderer.Wrap("short", 8));
    }

    [Theory]
    [InlineData("png", FigureFormats.Png)]
    [InlineData("svg", FigureFormats.Svg)]
    [InlineData("svg,png", FigureFormats.Both)]
    [InlineData(null, FigureFormats.Both)]
    public void Figure_formats_parse(string? text, FigureFormats expected) => Assert.Equal(expected, FigureFormat.Parse(text));

    [Fact]
    public void An_unknown_figure_format_is_a_one_line_user_error()
    {
        var e = Assert.Throws<Noether.Experiments.ConfigException>(() => FigureFormat.Parse("svg,jpg"));
        Assert.Equal("--figure-format 'jpg': expected png, svg or svg,png", e.Message);
    }
}

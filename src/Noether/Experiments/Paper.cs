namespace Noether.Experiments;

/// <summary>The publication an experiment reproduces.</summary>
public sealed record Paper(string Title, string Authors, string ArxivId)
{
    public string Url => $"https://arxiv.org/abs/{ArxivId}";
}

"""The simulated eproc's world: tribunals, users and their cases, all derived from a seed.

Every tribunal and grau is its own eproc installation under a path prefix of one host (``/trf4/eproc1g``,
``/tjsc/eproc2g``...). A user's cases at one installation come from ``random.Random`` seeded with the seed, the
user and the installation, so two simulators with the same seed serve the same world and the ground truth
(:func:`verdade`) is what a correct capture must store.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from zoneinfo import ZoneInfo

import pyotp

__all__ = ["INSTALACOES", "Instalacao", "Processo", "Usuario", "gerar_usuarios", "numero_cnj", "processos_de"]

BRASILIA = ZoneInfo("America/Sao_Paulo")


@dataclasses.dataclass(frozen=True, slots=True)
class Instalacao:
    """One eproc installation: a tribunal's grau, under ``prefixo`` on the simulator's host."""

    tribunal: str
    grau: str
    prefixo: str
    nome: str
    uf: str
    #: CNJ segment (4 federal, 8 state) and tribunal number: the ``J.TR`` of a case number.
    segmento: int
    numero_tribunal: int
    orgaos: tuple[str, ...]


INSTALACOES: tuple[Instalacao, ...] = (
    Instalacao(
        "TRF4", "primeiro_grau", "/trf4/eproc1g", "Justiça Federal da 4ª Região (1º grau)", "RS", 4, 4,
        ("1ª Vara Federal de Porto Alegre", "3ª Vara Federal de Curitiba", "2ª Vara Federal de Florianópolis"),
    ),
    Instalacao(
        "TRF4", "segundo_grau", "/trf4/eproc2g", "Tribunal Regional Federal da 4ª Região", "RS", 4, 4,
        ("1ª Turma", "4ª Turma", "Corte Especial"),
    ),
    Instalacao(
        "TJSC", "primeiro_grau", "/tjsc/eproc1g", "Tribunal de Justiça de Santa Catarina (1º grau)", "SC", 8, 24,
        ("1ª Vara Cível da Comarca da Capital", "Vara da Fazenda Pública de Joinville"),
    ),
    Instalacao(
        "TJSC", "segundo_grau", "/tjsc/eproc2g", "Tribunal de Justiça de Santa Catarina", "SC", 8, 24,
        ("Primeira Câmara de Direito Civil", "Quarta Câmara de Direito Público"),
    ),
    Instalacao(
        "TJTO", "primeiro_grau", "/tjto/eproc1g", "Tribunal de Justiça do Tocantins (1º grau)", "TO", 8, 27,
        ("1ª Vara Cível de Palmas", "Vara de Família de Araguaína"),
    ),
)  # fmt: skip

_NOMES = ("MARIA", "JOSÉ", "ANA", "JOÃO", "FRANCISCA", "ANTÔNIO", "LÚCIA", "CARLOS", "GRAÇA", "PAULO")
_SOBRENOMES = ("DA SILVA", "DOS SANTOS", "OLIVEIRA", "SOUZA", "PEREIRA", "CONCEIÇÃO", "ARAÚJO", "D'ÁVILA")
_REUS = ("UNIÃO - FAZENDA NACIONAL", "INSTITUTO NACIONAL DO SEGURO SOCIAL - INSS", "ESTADO DE SANTA CATARINA",
         "BANCO EXEMPLO S.A.", "MUNICÍPIO DE PALMAS", "COMPANHIA DE ÁGUAS LTDA.")  # fmt: skip
#: (code, sigla, description): the capture stores the sigla (the ``acervo`` column holds 30 characters).
_CLASSES = ((7, "PROCOM", "PROCEDIMENTO COMUM"), (436, "JEC", "PROCEDIMENTO DO JUIZADO ESPECIAL CÍVEL"),
            (1116, "EXFIS", "EXECUÇÃO FISCAL"), (198, "APCIV", "APELAÇÃO CÍVEL"),
            (202, "AGINS", "AGRAVO DE INSTRUMENTO"), (120, "MS", "MANDADO DE SEGURANÇA CÍVEL"))  # fmt: skip


@dataclasses.dataclass(frozen=True, slots=True)
class Usuario:
    """A lawyer who can log into every installation (the same CPF and password everywhere, as in eproc)."""

    cpf: str
    senha: str = dataclasses.field(repr=False)
    totp_secret: str = dataclasses.field(repr=False)
    nome: str
    id_usuario: int
    #: Cases at each installation (``tribunal:grau`` -> how many).
    quantidades: dict[str, int]


@dataclasses.dataclass(frozen=True, slots=True)
class Processo:
    """One case as eproc's JSON lists it (and what a capture must store of it)."""

    id_processo: int
    numero: str  # 20 digits, unformatted, as eproc sends it
    classe: tuple[int, str, str]
    orgao: str
    autuacao: dt.datetime  # Brasília wall time, as eproc sends it (no zone)
    polo_ativo: tuple[str, ...]
    polo_passivo: tuple[str, ...]
    sigilo: int
    situacao: str

    def json(self) -> dict[str, object]:
        """The row of eproc's listing: camelCase, a nested class and órgão, names padded like the real system."""
        return {
            "idProcesso": str(self.id_processo),
            "numeroProcesso": self.numero,
            "classeProcesso": {"codigo": self.classe[0], "sigla": self.classe[1], "descricao": self.classe[2]},
            "orgaoJulgador": {"descricao": self.orgao},
            "dataHoraAutuacao": self.autuacao.strftime("%Y-%m-%d %H:%M:%S"),
            "poloAtivo": [f"{nome}  " for nome in self.polo_ativo],
            "poloPassivo": list(self.polo_passivo),
            "nivelSigilo": self.sigilo,
            "situacao": self.situacao,
        }

    def verdade(self, tribunal: str, grau: str) -> dict[str, object]:
        """What the ``acervo`` table must hold for this case (column names, datetimes as UTC ISO text)."""
        return {
            "tribunal": tribunal,
            "grau": grau,
            "id_externo": self.id_processo,
            "numero_processo": formatar_cnj(self.numero),
            "classe_judicial": self.classe[1],
            "descricao_orgao_julgador": self.orgao,
            "nome_parte_autora": self.polo_ativo[0],
            "qtde_parte_autora": len(self.polo_ativo),
            "nome_parte_re": self.polo_passivo[0],
            "qtde_parte_re": len(self.polo_passivo),
            "data_autuacao": self.autuacao.replace(tzinfo=BRASILIA).astimezone(dt.UTC).isoformat(),
            "segredo_de_justica": self.sigilo > 0,
            "codigo_status_processo": self.situacao,
            "origem": "acervo_geral",
        }


def _cpf(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(9)]
    for size in (9, 10):
        total = sum(d * (size + 1 - i) for i, d in enumerate(digits))
        digits.append((total * 10 % 11) % 10)
    return "".join(map(str, digits))


def numero_cnj(sequencial: int, ano: int, segmento: int, tribunal: int, origem: int) -> str:
    """A CNJ case number (20 digits) with its check digits (ISO 7064 mod 97-10)."""
    base = f"{sequencial:07d}{ano:04d}{segmento:01d}{tribunal:02d}{origem:04d}"
    dv = 98 - (int(f"{base}00") % 97)
    return f"{sequencial:07d}{dv:02d}{ano:04d}{segmento:01d}{tribunal:02d}{origem:04d}"


def formatar_cnj(numero: str) -> str:
    """``NNNNNNNDDAAAAJTROOOO`` -> ``NNNNNNN-DD.AAAA.J.TR.OOOO``."""
    n = numero
    return f"{n[:7]}-{n[7:9]}.{n[9:13]}.{n[13]}.{n[14:16]}.{n[16:]}"


def gerar_usuarios(seed: int, quantidade: int, *, totp_period: int = 30) -> list[Usuario]:
    """``quantidade`` lawyers; the first has enough cases at every installation for three pages of 25."""
    rng = random.Random(f"eproc-usuarios:{seed}")
    out = []
    for index in range(quantidade):
        secret = pyotp.random_base32(length=32)
        totp = secret if totp_period == 30 else f"otpauth://totp/eproc?secret={secret}&period={totp_period}"
        quantidades = {f"{i.tribunal}:{i.grau}": (57 if index == 0 else rng.randrange(3, 40)) for i in INSTALACOES}
        out.append(
            Usuario(
                cpf=_cpf(rng),
                senha=f"Eproc-{rng.getrandbits(48):012x}!",
                totp_secret=totp,
                nome=f"{rng.choice(_NOMES)} {rng.choice(_SOBRENOMES)} ADVOGADA",
                id_usuario=700_000 + index * 17 + rng.randrange(10),
                quantidades=quantidades,
            )
        )
    return out


def processos_de(seed: int, usuario: Usuario, instalacao: Instalacao) -> list[Processo]:
    """The user's active cases at one installation, newest first (the order eproc lists them)."""
    chave = f"{instalacao.tribunal}:{instalacao.grau}"
    rng = random.Random(f"eproc-processos:{seed}:{usuario.cpf}:{chave}")
    out = []
    for n in range(usuario.quantidades.get(chave, 0)):
        ano = rng.randrange(2015, 2026)
        autuacao = dt.datetime(ano, rng.randrange(1, 13), rng.randrange(1, 29), rng.randrange(8, 19),
                               rng.randrange(60), rng.randrange(60))  # fmt: skip
        ativos = tuple(f"{rng.choice(_NOMES)} {rng.choice(_SOBRENOMES)}" for _ in range(rng.choice((1, 1, 2))))
        out.append(
            Processo(
                id_processo=7_217_000_000_000 + rng.randrange(10**9) * 100 + n,
                numero=numero_cnj(
                    rng.randrange(10**6, 10**7),
                    ano,
                    instalacao.segmento,
                    instalacao.numero_tribunal,
                    rng.randrange(1, 9999),
                ),
                classe=rng.choice(_CLASSES),
                orgao=rng.choice(instalacao.orgaos),
                autuacao=autuacao,
                polo_ativo=ativos,
                polo_passivo=(rng.choice(_REUS),),
                sigilo=rng.choice((0, 0, 0, 0, 1)),
                situacao=rng.choice(("MOVIMENTO", "MOVIMENTO", "SUSPENSO")),
            )
        )
    out.sort(key=lambda p: p.autuacao, reverse=True)
    return out

"""Static vocabularies of the synthetic PJE-TRT world: names, cities, classes, hearing types, document types."""

from __future__ import annotations

import random

__all__ = [
    "BAIRROS",
    "CIDADES_POR_UF",
    "CLASSES",
    "ESTADOS",
    "LOGRADOUROS",
    "MOVIMENTOS",
    "TIPOS_AUDIENCIA",
    "TIPOS_DOCUMENTO",
    "TIPOS_TERCEIRO",
    "UF_POR_REGIAO",
    "nome_empresa",
    "nome_pessoa",
]

NOMES_M = (
    "JOSE", "JOAO", "ANTONIO", "FRANCISCO", "CARLOS", "PAULO", "PEDRO", "LUCAS", "LUIZ", "MARCOS",
    "LUIS", "GABRIEL", "RAFAEL", "DANIEL", "MARCELO", "BRUNO", "EDUARDO", "FELIPE", "RAIMUNDO", "RODRIGO",
    "MANOEL", "MATEUS", "ANDRE", "FERNANDO", "FABIO", "LEONARDO", "GUSTAVO", "GUILHERME", "LEANDRO", "TIAGO",
    "ANDERSON", "RICARDO", "MARCIO", "JORGE", "SEBASTIAO", "ALEXANDRE", "ROBERTO", "EDSON", "DIEGO", "SERGIO",
)  # fmt: skip
NOMES_F = (
    "MARIA", "ANA", "FRANCISCA", "ANTONIA", "ADRIANA", "JULIANA", "MARCIA", "FERNANDA", "PATRICIA", "ALINE",
    "SANDRA", "CAMILA", "AMANDA", "BRUNA", "JESSICA", "LETICIA", "JULIA", "LUCIANA", "VANESSA", "MARIANA",
    "GABRIELA", "VERA", "VITORIA", "LARISSA", "CLAUDIA", "BEATRIZ", "LUANA", "RITA", "SONIA", "RENATA",
    "ELIANE", "JOSEFA", "SIMONE", "NATALIA", "CRISTIANE", "CAROLINA", "ANDREIA", "ROSANGELA", "TATIANE", "DANIELA",
)  # fmt: skip
SOBRENOMES = (
    "SILVA", "SANTOS", "OLIVEIRA", "SOUZA", "RODRIGUES", "FERREIRA", "ALVES", "PEREIRA", "LIMA", "GOMES",
    "COSTA", "RIBEIRO", "MARTINS", "CARVALHO", "ALMEIDA", "LOPES", "SOARES", "FERNANDES", "VIEIRA", "BARBOSA",
    "ROCHA", "DIAS", "NASCIMENTO", "ANDRADE", "MOREIRA", "NUNES", "MARQUES", "MACHADO", "MENDES", "FREITAS",
    "CARDOSO", "RAMOS", "GONCALVES", "SANTANA", "TEIXEIRA", "ARAUJO", "PINTO", "CAVALCANTI", "MONTEIRO", "MOURA",
    "CORREIA", "BATISTA", "CAMPOS", "AZEVEDO", "REIS", "BORGES", "FONSECA", "PRADO", "MIRANDA", "QUEIROZ",
)  # fmt: skip
EMPRESA_NUCLEO = (
    "CONSTRUTORA HORIZONTE", "TRANSPORTES RODOVIA SUL", "SUPERMERCADOS BOM PRECO", "METALURGICA AÇO FORTE",
    "CALL CENTER CONECTA", "HOSPITAL SAO LUCAS", "CONFECCOES ESTRELA", "LOGISTICA EXPRESSA", "BANCO REGIONAL",
    "VIGILANCIA PATRIMONIAL ALERTA", "RESTAURANTE SABOR DA TERRA", "INDUSTRIA DE ALIMENTOS VALE VERDE",
    "MINERACAO SERRA AZUL", "TELEMARKETING VOZ ATIVA", "LIMPEZA E CONSERVACAO BRILHO", "ESCOLA NOVO SABER",
    "FRIGORIFICO BOI GORDO", "AUTO PECAS ROTA", "CONSTRUCOES E EMPREENDIMENTOS ALFA", "TECNOLOGIA NUVEM CLARA",
    "FARMACIAS POPULARES", "CLINICA VIDA PLENA", "ATACADAO DO POVO", "USINA CANA DOCE",
)  # fmt: skip
EMPRESA_SUFIXO = ("LTDA", "LTDA", "LTDA", "S.A.", "S/A", "EIRELI", "LTDA - ME", "LTDA - EPP")

ESTADOS: dict[str, tuple[int, str]] = {
    "AC": (12, "Acre"), "AL": (27, "Alagoas"), "AM": (13, "Amazonas"), "BA": (29, "Bahia"), "CE": (23, "Ceará"),
    "DF": (53, "Distrito Federal"), "ES": (32, "Espírito Santo"), "GO": (52, "Goiás"), "MA": (21, "Maranhão"),
    "MG": (31, "Minas Gerais"), "MS": (50, "Mato Grosso do Sul"), "MT": (51, "Mato Grosso"), "PA": (15, "Pará"),
    "PB": (25, "Paraíba"), "PE": (26, "Pernambuco"), "PI": (22, "Piauí"), "PR": (41, "Paraná"),
    "RJ": (33, "Rio de Janeiro"), "RN": (24, "Rio Grande do Norte"), "RO": (11, "Rondônia"),
    "RS": (43, "Rio Grande do Sul"), "SC": (42, "Santa Catarina"), "SE": (28, "Sergipe"), "SP": (35, "São Paulo"),
}  # fmt: skip

UF_POR_REGIAO: dict[int, str] = {
    1: "RJ", 2: "SP", 3: "MG", 4: "RS", 5: "BA", 6: "PE", 7: "CE", 8: "PA", 9: "PR", 10: "DF",
    11: "AM", 12: "SC", 13: "PB", 14: "RO", 15: "SP", 16: "MA", 17: "ES", 18: "GO", 19: "AL",
    20: "SE", 21: "RN", 22: "PI", 23: "MT", 24: "MS",
}  # fmt: skip

#: (município, IBGE code, DDD, first 5 CEP digits low, high) per UF.
CIDADES_POR_UF: dict[str, tuple[tuple[str, int, str, int, int], ...]] = {
    "RJ": (("RIO DE JANEIRO", 3304557, "21", 20000, 23799), ("NITEROI", 3303302, "21", 24000, 24399),
           ("DUQUE DE CAXIAS", 3301702, "21", 25000, 25299)),
    "SP": (("SAO PAULO", 3550308, "11", 1000, 5999), ("GUARULHOS", 3518800, "11", 7000, 7399),
           ("SANTO ANDRE", 3547809, "11", 9000, 9299), ("CAMPINAS", 3509502, "19", 13000, 13139),
           ("RIBEIRAO PRETO", 3543402, "16", 14000, 14114), ("SOROCABA", 3552205, "15", 18000, 18109)),
    "MG": (("BELO HORIZONTE", 3106200, "31", 30000, 31999), ("CONTAGEM", 3118601, "31", 32000, 32399),
           ("BETIM", 3106705, "31", 32600, 32699), ("JUIZ DE FORA", 3136702, "32", 36000, 36099),
           ("UBERLANDIA", 3170206, "34", 38400, 38415)),
    "RS": (("PORTO ALEGRE", 4314902, "51", 90000, 91999), ("CAXIAS DO SUL", 4305108, "54", 95000, 95124),
           ("CANOAS", 4304606, "51", 92000, 92499)),
    "BA": (("SALVADOR", 2927408, "71", 40000, 42599), ("FEIRA DE SANTANA", 2910800, "75", 44000, 44104),
           ("CAMACARI", 2905701, "71", 42800, 42849)),
    "PE": (("RECIFE", 2611606, "81", 50000, 52999), ("JABOATAO DOS GUARARAPES", 2607901, "81", 54000, 54499),
           ("OLINDA", 2609600, "81", 53000, 53399)),
    "CE": (("FORTALEZA", 2304400, "85", 60000, 61599), ("CAUCAIA", 2303709, "85", 61600, 61699),
           ("JUAZEIRO DO NORTE", 2307304, "88", 63000, 63099)),
    "PA": (("BELEM", 1501402, "91", 66000, 66999), ("ANANINDEUA", 1500800, "91", 67000, 67199),
           ("MARABA", 1504208, "94", 68500, 68509)),
    "PR": (("CURITIBA", 4106902, "41", 80000, 82999), ("LONDRINA", 4113700, "43", 86000, 86099),
           ("MARINGA", 4115200, "44", 87000, 87099)),
    "DF": (("BRASILIA", 5300108, "61", 70000, 73699),),
    "AM": (("MANAUS", 1302603, "92", 69000, 69099),),
    "SC": (("FLORIANOPOLIS", 4205407, "48", 88000, 88099), ("JOINVILLE", 4209102, "47", 89200, 89239),
           ("BLUMENAU", 4202404, "47", 89000, 89099)),
    "PB": (("JOAO PESSOA", 2507507, "83", 58000, 58099), ("CAMPINA GRANDE", 2504009, "83", 58400, 58499)),
    "RO": (("PORTO VELHO", 1100205, "69", 76800, 76834),),
    "AC": (("RIO BRANCO", 1200401, "68", 69900, 69923),),
    "MA": (("SAO LUIS", 2111300, "98", 65000, 65109), ("IMPERATRIZ", 2105302, "99", 65900, 65919)),
    "ES": (("VITORIA", 3205309, "27", 29000, 29099), ("VILA VELHA", 3205200, "27", 29100, 29129),
           ("SERRA", 3205002, "27", 29160, 29184)),
    "GO": (("GOIANIA", 5208707, "62", 74000, 74899), ("ANAPOLIS", 5201108, "62", 75000, 75149),
           ("APARECIDA DE GOIANIA", 5201405, "62", 74900, 74999)),
    "AL": (("MACEIO", 2704302, "82", 57000, 57099), ("ARAPIRACA", 2700300, "82", 57300, 57319)),
    "SE": (("ARACAJU", 2800308, "79", 49000, 49099),),
    "RN": (("NATAL", 2408102, "84", 59000, 59159), ("MOSSORO", 2408003, "84", 59600, 59649)),
    "PI": (("TERESINA", 2211001, "86", 64000, 64099), ("PARNAIBA", 2207702, "86", 64200, 64219)),
    "MT": (("CUIABA", 5103403, "65", 78000, 78109), ("VARZEA GRANDE", 5108402, "65", 78110, 78159),
           ("RONDONOPOLIS", 5107602, "66", 78700, 78749)),
    "MS": (("CAMPO GRANDE", 5002704, "67", 79000, 79129), ("DOURADOS", 5003702, "67", 79800, 79849)),
}  # fmt: skip

LOGRADOUROS = (
    "RUA DAS FLORES", "AVENIDA BRASIL", "RUA SETE DE SETEMBRO", "RUA TIRADENTES", "AVENIDA GETULIO VARGAS",
    "RUA DOM PEDRO II", "RUA SAO JOSE", "AVENIDA INDEPENDENCIA", "RUA QUINZE DE NOVEMBRO", "RUA DA BAHIA",
    "AVENIDA AFONSO PENA", "RUA DOS GUARANIS", "RUA RIO BRANCO", "AVENIDA AMAZONAS", "RUA BARAO DO RIO BRANCO",
    "TRAVESSA SANTA LUZIA", "RUA PADRE EUSTAQUIO", "AVENIDA DO CONTORNO", "RUA DOS OPERARIOS", "ALAMEDA DAS ACACIAS",
)  # fmt: skip
BAIRROS = (
    "CENTRO", "SAO JOSE", "JARDIM AMERICA", "VILA NOVA", "SANTA TEREZA", "BOA VISTA", "PLANALTO", "INDUSTRIAL",
    "SANTO ANTONIO", "LIBERDADE", "BELA VISTA", "JARDIM PAULISTA", "FLORESTA", "CIDADE NOVA", "ALTO DA SERRA",
)  # fmt: skip

#: sigla -> (id, código CNJ, descrição, graus where it appears)
CLASSES: dict[str, tuple[int, str, str]] = {
    "ATOrd": (1_985, "985", "AÇÃO TRABALHISTA - RITO ORDINÁRIO"),
    "ATSum": (1_125, "1125", "AÇÃO TRABALHISTA - RITO SUMARÍSSIMO"),
    "TutCautAnt": (12_134, "12134", "TUTELA CAUTELAR ANTECEDENTE"),
    "ROT": (1_009, "1009", "RECURSO ORDINÁRIO TRABALHISTA"),
    "RORSum": (11_886, "11886", "RECURSO ORDINÁRIO - RITO SUMARÍSSIMO"),
    "AP": (1_004, "1004", "AGRAVO DE PETIÇÃO"),
    "AIRR": (1_002, "1002", "AGRAVO DE INSTRUMENTO EM RECURSO DE REVISTA"),
}
CLASSES_POR_NIVEL: dict[str, tuple[tuple[str, float], ...]] = {
    "primeiro_grau": (("ATOrd", 0.62), ("ATSum", 0.33), ("TutCautAnt", 0.05)),
    "segundo_grau": (("ROT", 0.6), ("RORSum", 0.3), ("AP", 0.1)),
    "tribunal_superior": (("AIRR", 1.0),),
}

#: (id, descrição, código, isVirtual)
TIPOS_AUDIENCIA = (
    (1_001, "Una por videoconferência", "UNA_VIDEO", True),
    (1_002, "Inicial por videoconferência (rito sumaríssimo)", "INICIAL_SUM_VIDEO", True),
    (1_003, "Encerramento de instrução por videoconferência", "ENC_INSTR_VIDEO", True),
    (1_004, "Una", "UNA", False),
    (1_005, "Instrução", "INSTRUCAO", False),
    (1_006, "Conciliação em conhecimento", "CONCILIACAO", False),
)

#: (id, título/tipo, código do tipo, can be an expediente)
TIPOS_DOCUMENTO = (
    (12, "Petição Inicial", "7"),
    (34, "Procuração", "57"),
    (41, "Contestação", "21"),
    (58, "Despacho", "60"),
    (59, "Decisão", "61"),
    (62, "Sentença", "62"),
    (70, "Ata da Audiência", "75"),
    (73, "Manifestação", "36"),
    (88, "Laudo Pericial", "91"),
    (90, "Acórdão", "65"),
)
TIPO_INTIMACAO = (95, "Intimação", "103")

#: (código CNJ, título)
MOVIMENTOS = (
    (26, "Distribuído por sorteio"),
    (85, "Juntada a petição de Manifestação"),
    (11010, "Proferido despacho de mero expediente"),
    (51, "Conclusos os autos para despacho"),
    (970, "Audiência una por videoconferência designada"),
    (1061, "Disponibilizado(a) o(a) Intimação no Diário da Justiça Eletrônico"),
    (60, "Expedido(a) intimação"),
    (123, "Remetidos os autos para Órgão jurisdicional competente"),
    (581, "Juntada a petição de Contestação"),
    (11009, "Conclusos os autos para julgamento"),
)

#: (tipo, idTipoParte): special party types, classified as `terceiro` (pje-api.md §5)
TIPOS_TERCEIRO = (
    ("PERITO", 75),
    ("TESTEMUNHA", 110),
    ("CUSTOS LEGIS", 247),
    ("ASSISTENTE TECNICO", 185),
)


def nome_pessoa(rng: random.Random, sexo: str | None = None) -> tuple[str, str]:
    """A realistic full name in upper case and its sex (``M``/``F``)."""
    sexo = sexo or ("F" if rng.random() < 0.5 else "M")
    primeiro = rng.choice(NOMES_F if sexo == "F" else NOMES_M)
    n = 2 if rng.random() < 0.6 else 3
    sobrenomes = [rng.choice(SOBRENOMES) for _ in range(n)]
    if n == 3 and rng.random() < 0.3:
        sobrenomes.insert(1, "DE")
    return " ".join([primeiro, *sobrenomes]), sexo


def nome_empresa(rng: random.Random) -> tuple[str, str]:
    """A company name (razão social) and a trade name (nome fantasia)."""
    nucleo = rng.choice(EMPRESA_NUCLEO)
    return f"{nucleo} {rng.choice(EMPRESA_SUFIXO)}", nucleo.split(" ", 1)[-1]

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.17;

interface IPolygonStakeManagerForRootChain {
    function checkSignatures(uint256 blockInterval, bytes32 voteHash, bytes32 stateRoot, address proposer, uint256[3][] calldata sigs)
        external returns (uint256);
}

// Model of Polygon PoS's RootChain (0xPolygon/pos-contracts
// contracts/root/RootChain.sol, RootChainStorage.sol at ff11f0e0) for the
// stakewallet devnet: checkpoints (header blocks) are submitted with the
// real submitCheckpoint(data, sigs) and stored as the real headerBlocks,
// ids stepping by MAX_DEPOSITS; each accepted checkpoint makes the
// StakeManager's epoch advance (checkSignatures). The signatures are not
// verified: only the devnet oracle (the submitter) may submit.
contract RootChain {
    event NewHeaderBlock(
        address indexed proposer,
        uint256 indexed headerBlockId,
        uint256 indexed reward,
        uint256 start,
        uint256 end,
        bytes32 root
    );
    event ResetHeaderBlock(address indexed proposer, uint256 indexed headerBlockId);

    struct HeaderBlock {
        bytes32 root;
        uint256 start;
        uint256 end;
        uint256 createdAt;
        address proposer;
    }

    uint16 internal constant MAX_DEPOSITS = 10_000;
    uint8 public constant VOTE_TYPE = 2;
    uint256 public _nextHeaderBlock = MAX_DEPOSITS;
    mapping(uint256 => HeaderBlock) public headerBlocks;
    uint256 public CHAINID;

    address private immutable stakeManager;
    address private immutable submitter;

    constructor(address _stakeManager, address _submitter, uint256 _borChainID) {
        stakeManager = _stakeManager;
        submitter = _submitter;
        CHAINID = _borChainID;
    }

    function submitHeaderBlock(bytes calldata, bytes calldata) external pure {
        revert();
    }

    function submitCheckpoint(bytes calldata data, uint256[3][] calldata sigs) external {
        require(msg.sender == submitter, "UNAUTHORIZED");
        (address proposer, uint256 start, uint256 end, bytes32 rootHash, bytes32 accountHash, uint256 _borChainID) =
            abi.decode(data, (address, uint256, uint256, bytes32, bytes32, uint256));
        require(CHAINID == _borChainID, "Invalid bor chain id");
        require(_buildHeaderBlock(proposer, start, end, rootHash), "INCORRECT_HEADER_DATA");
        uint256 _reward = IPolygonStakeManagerForRootChain(stakeManager).checkSignatures(
            end - start + 1, keccak256(abi.encodePacked(bytes(hex"01"), data)), accountHash, proposer, sigs
        );
        require(_reward != 0, "Invalid checkpoint");
        emit NewHeaderBlock(proposer, _nextHeaderBlock, _reward, start, end, rootHash);
        _nextHeaderBlock = _nextHeaderBlock + MAX_DEPOSITS;
    }

    function getLastChildBlock() external view returns (uint256) {
        return headerBlocks[currentHeaderBlock()].end;
    }

    function currentHeaderBlock() public view returns (uint256) {
        return _nextHeaderBlock - MAX_DEPOSITS;
    }

    function _buildHeaderBlock(address proposer, uint256 start, uint256 end, bytes32 rootHash) private returns (bool) {
        uint256 nextChildBlock;
        if (_nextHeaderBlock > MAX_DEPOSITS) {
            nextChildBlock = headerBlocks[currentHeaderBlock()].end + 1;
        }
        if (nextChildBlock != start) {
            return false;
        }
        headerBlocks[_nextHeaderBlock] = HeaderBlock({
            root: rootHash, start: nextChildBlock, end: end, createdAt: block.timestamp, proposer: proposer
        });
        return true;
    }
}
